import { Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, onTestFinished, vi } from 'vitest';
import { builtServerEntry, resultText, runInspector, toolServerTest as test } from '../support/mcp-fixtures.js';

async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function startShellServer(args: string[], env: Record<string, string>): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [builtServerEntry('shell'), ...args],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'shell-stdio-test', version: '0.0.0' });
  await client.connect(transport);
  onTestFinished(() => client.close());
  return { client, transport };
}

async function waitForPid(file: string): Promise<number> {
  return vi.waitFor(async () => {
    const pid = Number(await readFile(file, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    return pid;
  }, { timeout: 5000 });
}

describe('shell server over stdio', () => {
  test('runs commands with the environment filtered and --pass-env honoured', async ({ workspace }) => {
    const { client } = await startShellServer(['--root', workspace, '--pass-env', 'PASSED_TOKEN', '--pass-env=OTHER_SECRET'], {
      MY_API_TOKEN: 'hidden',
      PASSED_TOKEN: 'shown',
      OTHER_SECRET: 'also shown',
    });
    const result = await client.callTool({ name: 'run_shell', arguments: { command: 'echo "[$MY_API_TOKEN][$PASSED_TOKEN][$OTHER_SECRET]"; pwd' } });
    expect(resultText(result)).toBe(`exit code: 0\n[][shown][also shown]\n${workspace}\n`);
    expect(result.structuredContent).toMatchObject({ exitCode: 0, signal: null });
  });

  test('background jobs die when the client disconnects', async ({ workspace }) => {
    const { client } = await startShellServer(['--root', workspace], {});
    await client.callTool({ name: 'run_shell', arguments: { command: 'sleep 300 & echo $! > job.pid; wait', background: true } });
    const pid = await waitForPid(join(workspace, 'job.pid'));
    expect(await isAlive(pid)).toBe(true);
    await client.close();
    await vi.waitFor(async () => expect(await isAlive(pid)).toBe(false), { timeout: 5000 });
  });

  test('background jobs die when the server is sent SIGTERM', async ({ workspace }) => {
    const { client, transport } = await startShellServer(['--root', workspace], {});
    await client.callTool({ name: 'run_shell', arguments: { command: 'sleep 300 & echo $! > job.pid; wait', background: true } });
    const pid = await waitForPid(join(workspace, 'job.pid'));
    process.kill(transport.pid!, 'SIGTERM');
    await vi.waitFor(async () => expect(await isAlive(pid)).toBe(false), { timeout: 5000 });
  });

  test('a bad command line is one line on stderr and exit code 2', async () => {
    const run = await promisify(execFile)(process.execPath, [builtServerEntry('shell'), '--pass-env', 'X']).catch((error: unknown) => error as { code: number; stderr: string });
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/^shell server: --root DIR is required.*\n$/) });
  });

  test('the MCP inspector CLI lists and calls the tools', async ({ workspace }) => {
    const listed = await runInspector(['shell', '--root', workspace], ['--method', 'tools/list']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const tools = (listed.json as { result: { tools: { name: string }[] } }).result.tools;
    expect(tools.map((tool) => tool.name)).toEqual(['run_shell', 'job_output', 'job_kill']);

    const called = await runInspector(['shell', '--root', workspace], ['--method', 'tools/call', '--tool-name', 'run_shell', '--tool-arg', 'command=echo from-inspector']);
    expect(called.exitCode, called.stderr).toBe(0);
    expect(resultText((called.json as { result: unknown }).result)).toBe('exit code: 0\nfrom-inspector\n');

    const refused = await runInspector(['shell', '--root', workspace], ['--method', 'tools/call', '--tool-name', 'run_shell', '--tool-arg', 'command=pwd', '--tool-arg', 'cwd=..']);
    expect(refused.exitCode).toBe(5);
    expect(refused.stdout).toContain('outside the workspace');
  });
});
