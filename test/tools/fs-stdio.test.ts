import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { builtServerEntry, connectStdio, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

function runServer(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [builtServerEntry('fs'), ...args], { timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
    child.stdin?.end();
  });
}

describe('fs server over real stdio', () => {
  test('lists its tools and serves calls', async ({ workspace }) => {
    await writeFile(join(workspace, 'notes.txt'), 'first\nsecond\n');
    const client = await connectStdio('fs', ['--root', workspace]);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['edit_file', 'glob', 'grep', 'list_dir', 'multi_edit', 'read_file', 'write_file']);
      expect(tools.find((tool) => tool.name === 'read_file')?.description).toMatch(/^Read a text file as numbered lines/);
      expect(resultText(await client.callTool({ name: 'read_file', arguments: { path: 'notes.txt' } }))).toBe('1\tfirst\n2\tsecond');
      await client.callTool({ name: 'edit_file', arguments: { path: 'notes.txt', old_string: 'second', new_string: '2nd' } });
      expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('first\n2nd\n');
      const escape = await client.callTool({ name: 'read_file', arguments: { path: '/etc/passwd' } });
      expect(escape.isError).toBe(true);
      const grep = await client.callTool({ name: 'grep', arguments: { pattern: 'first' } });
      expect(resultText(grep)).toBe('notes.txt:1:first');
    } finally {
      await client.close();
    }
  });

  test('uses the JS grep engine when told to', async ({ workspace }) => {
    await writeFile(join(workspace, 'a.txt'), 'needle\n');
    const client = await connectStdio('fs', ['--root', workspace, '--grep', 'js']);
    try {
      expect(resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'need' } }))).toBe('a.txt:1:needle');
    } finally {
      await client.close();
    }
  });

  test('a bad command line exits 2 with one line saying what to pass', async ({ workspace }) => {
    const missing = join(workspace, 'missing');
    const file = join(workspace, 'file');
    await writeFile(file, '');
    const [none, absent, notDir, badGrep, unknown] = await Promise.all([
      runServer([]),
      runServer(['--root', missing]),
      runServer(['--root', file]),
      runServer(['--root', workspace, '--grep', 'sed']),
      runServer(['--root', workspace, '--verbose']),
    ]);
    expect(none).toEqual({ code: 2, stderr: 'fs server: --root DIR is required (the workspace the tools may touch)\n' });
    expect(absent).toEqual({ code: 2, stderr: `fs server: --root ${missing} does not exist; pass an existing directory\n` });
    expect(notDir).toEqual({ code: 2, stderr: `fs server: --root ${file} is not a directory; pass a directory\n` });
    expect(badGrep).toEqual({ code: 2, stderr: 'fs server: --grep must be one of auto, ripgrep, js, not sed\n' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fs server: Unknown option '--verbose'.*; usage: fs --root DIR\n$/);
  });
});
