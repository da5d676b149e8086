/**
 * A user's MCP server plugged into a real `endure exec` run: the scripted model
 * calls the plugged server's tools end to end, crashes it mid-session with one
 * call, and goes on with the restarted server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../support/mcp-servers/fixture-server.mjs', import.meta.url));

let root: string;
let server: ScriptedServer;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'endure-plugged-'));
  server = await startScriptedServer({ dialect: 'vllm' });
});

afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function runExec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'exec', ...args], { env: { ...process.env, ENDURE_HOME: join(root, 'home') } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function toolResults(): { name: string; isError: boolean; content: string }[] {
  const sessions = join(root, 'home', 'sessions');
  const [id] = readdirSync(sessions);
  return readFileSync(join(sessions, id!, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string; name: string; isError: boolean; content: string })
    .filter((record) => record.kind === 'tool_end');
}

test('the model calls a plugged server, survives its crash, and uses it again after the restart', async () => {
  const config = join(root, 'servers.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { fx: { command: process.execPath, args: [FIXTURE, '--tag', 'fx'] } } }));
  const plan = [
    { name: 'fx__echo', arguments: { text: 'hello from the model' } },
    { name: 'fx__pid', arguments: {} },
    { name: 'fx__crash', arguments: {} },
    { name: 'fx__pid', arguments: {} },
  ];
  const seen: string[][] = [];
  server.respondWith((request) => {
    seen.push((request.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name));
    const done = (request.body.messages as { role: string }[]).filter((message) => message.role === 'tool').length;
    const next = plan[done];
    return next ? { toolCalls: [next] } : { content: 'Used the plugged server.' };
  });

  const result = await runExec(['--base-url', server.url, '--sandbox', 'host', '--cwd', root, '--mcp-config', config, 'use the fx server']);
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  expect(result.stdout.trim()).toBe('Used the plugged server.');
  expect(seen[0]).toEqual(expect.arrayContaining(['read_file', 'run_shell', 'git_status', 'fx__echo', 'fx__crash']));

  const results = toolResults();
  expect(results.map((r) => r.name)).toEqual(['fx__echo', 'fx__pid', 'fx__crash', 'fx__pid']);
  expect(results[0]).toMatchObject({ isError: false, content: expect.stringContaining('hello from the model') });
  expect(results[2]!.isError).toBe(true);
  expect(results[3]!.isError).toBe(false);
  const pidBefore = /\d+/.exec(results[1]!.content)![0];
  const pidAfter = /\d+/.exec(results[3]!.content)![0];
  expect(pidAfter).not.toBe(pidBefore);
});

test('a plugged server that cannot start is a warning naming it, and the session goes on', async () => {
  const config = join(root, 'servers.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { broken: { command: process.execPath, args: [FIXTURE, '--fail-start'] } } }));
  server.enqueue({ content: 'Nothing to do.' });
  const result = await runExec(['--base-url', server.url, '--sandbox', 'host', '--cwd', root, '--mcp-config', config, 'say hi']);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/warning: .*"broken"/);
});

test('an invalid MCP config stops the run with exit 2 naming the file and the server', async () => {
  const config = join(root, 'bad.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { nameless: { args: ['x'] } } }));
  const result = await runExec(['--base-url', server.url, '--sandbox', 'host', '--cwd', root, '--mcp-config', config, 'say hi']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(config);
  expect(result.stderr).toContain('nameless');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});
