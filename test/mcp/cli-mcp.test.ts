import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect } from 'vitest';
import { registerMcpCommands } from '../../src/cli/commands/mcp.js';
import { FIXTURE_SERVER, test } from './support.js';

async function cli(tempDir: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const program = new Command('endure').exitOverride().configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  const project = join(tempDir, 'project');
  mkdirSync(project, { recursive: true });
  registerMcpCommands(program, {
    stdout: (text) => (stdout += text),
    env: { HOME: tempDir, XDG_CONFIG_HOME: join(tempDir, 'xdg'), ENDURE_HOME: join(tempDir, 'state') },
    cwd: () => project,
  });
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { code, stdout, stderr, project };
}

describe('endure mcp', () => {
  test('add, list, test, remove a user stdio server', async ({ tempDir }) => {
    const added = await cli(tempDir, ['mcp', 'add', 'fix', '--env', 'A=1', '--', process.execPath, FIXTURE_SERVER, '--tag', 'cli']);
    expect(added).toMatchObject({ code: 0 });
    const userFile = join(tempDir, 'xdg', 'endure', 'config.json');
    expect(JSON.parse(readFileSync(userFile, 'utf8'))).toEqual({
      mcpServers: { fix: { command: process.execPath, args: [FIXTURE_SERVER, '--tag', 'cli'], env: { A: '1' } } },
    });
    expect((await cli(tempDir, ['mcp', 'add', 'fix', '--url', 'http://127.0.0.1:9/mcp'])).code).toBe(2);

    const listed = await cli(tempDir, ['mcp', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'fix', transport: 'stdio', source: 'user', file: userFile, state: 'enabled' }),
    ]);

    const tested = await cli(tempDir, ['mcp', 'test', 'fix']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^fix: started and listed in \d+ ms, ping [\d.]+ ms, 9 tools/);
    expect(tested.stdout).toContain('fix__echo\n  Echo text back\n  {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}');
    expect(tested.stdout).toContain('fix__dotted_name (dotted.name)');

    expect((await cli(tempDir, ['mcp', 'remove', 'fix'])).code).toBe(0);
    const again = await cli(tempDir, ['mcp', 'remove', 'fix']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^endure: .*no server named "fix"/);
  });

  test('project servers need trust; mcp trust approves the file as it is now', async ({ tempDir }) => {
    const project = join(tempDir, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { repo: { command: process.execPath, args: [FIXTURE_SERVER] } } }));
    let listed = await cli(tempDir, ['mcp', 'list']);
    expect(listed.stdout).toContain('project (');
    expect(listed.stdout).toContain('untrusted');
    const refused = await cli(tempDir, ['mcp', 'test', 'repo']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not trusted; run "endure mcp trust" first');
    const trusted = await cli(tempDir, ['mcp', 'trust']);
    expect(trusted.stdout).toContain('1 servers: repo');
    listed = await cli(tempDir, ['mcp', 'list', '--json']);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ name: 'repo', state: 'enabled' });
    expect((await cli(tempDir, ['mcp', 'test', 'repo'])).code).toBe(0);
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { repo: { command: 'other' } } }));
    expect(JSON.parse((await cli(tempDir, ['mcp', 'list', '--json'])).stdout)[0]).toMatchObject({ state: 'untrusted' });
  });

  test('config errors exit 2 with one line naming the file, server and key', async ({ tempDir }) => {
    const project = join(tempDir, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { bad: { command: 'x', timeout: -1 } } }));
    const result = await cli(tempDir, ['mcp', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^endure: .*project\/\.mcp\.json: server "bad", key "timeout": /);
    const usage = await cli(tempDir, ['mcp', 'add', 'both', '--url', 'http://127.0.0.1:9/mcp', '--', 'cmd']);
    expect(usage.code).toBe(2);
    const failing = await cli(tempDir, ['mcp', 'add', 'dead', '--', process.execPath, FIXTURE_SERVER, '--fail-start']);
    expect(failing.code).toBe(0);
    writeFileSync(join(project, '.mcp.json'), '{}');
    const dead = await cli(tempDir, ['mcp', 'test', 'dead']);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('MCP server "dead" did not start');
  });
});
