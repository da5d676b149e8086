import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { connectInMemory, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

/** One call per tool that touches `path`; each must be refused when the path leaves the root. */
const CALLS: [string, (path: string) => Record<string, unknown>][] = [
  ['read_file', (path) => ({ path })],
  ['write_file', (path) => ({ path, content: 'pwned' })],
  ['edit_file', (path) => ({ path, old_string: 'secret', new_string: 'pwned' })],
  ['multi_edit', (path) => ({ path, edits: [{ old_string: 'secret', new_string: 'pwned' }] })],
  ['glob', (path) => ({ pattern: '*', path })],
  ['grep', (path) => ({ pattern: 'secret', path })],
  ['list_dir', (path) => ({ path })],
];

describe('path safety', () => {
  test('refuses .., absolute paths outside and symlinks that lead outside, for every tool', async ({ workspace, outside }) => {
    await writeFile(join(outside, 'secret.txt'), 'secret\n');
    await symlink(join(outside, 'secret.txt'), join(workspace, 'link-to-file'));
    await symlink(outside, join(workspace, 'link-to-dir'));
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const escapes = (tool: string) =>
      tool === 'glob' || tool === 'list_dir' || tool === 'grep'
        ? ['..', outside, 'link-to-dir', 'link-to-dir/../..']
        : ['../secret.txt', join(outside, 'secret.txt'), 'link-to-file', 'link-to-dir/secret.txt', 'link-to-dir/new.txt'];
    for (const [tool, args] of CALLS) {
      for (const path of escapes(tool)) {
        const result = await client.callTool({ name: tool, arguments: args(path) });
        expect(result.isError, `${tool} ${path}`).toBe(true);
        expect(resultText(result)).toBe(`path "${path}" is outside the workspace ${workspace}; use a path inside it (relative paths resolve against the workspace)`);
      }
    }
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  test('follows symlinks that stay inside the root and accepts absolute paths inside it', async ({ workspace }) => {
    await mkdir(join(workspace, 'real'));
    await writeFile(join(workspace, 'real', 'file.txt'), 'inside\n');
    await symlink(join(workspace, 'real'), join(workspace, 'alias'));
    const client = await connectInMemory(createFsServer({ root: workspace }));
    expect(resultText(await client.callTool({ name: 'read_file', arguments: { path: 'alias/file.txt' } }))).toBe('1\tinside');
    const absolute = join(workspace, 'real', 'file.txt');
    expect(resultText(await client.callTool({ name: 'read_file', arguments: { path: absolute } }))).toBe('1\tinside');
    await client.callTool({ name: 'write_file', arguments: { path: 'alias/file.txt', content: 'changed\n' } });
    expect(await readFile(join(workspace, 'real', 'file.txt'), 'utf8')).toBe('changed\n');
  });

  test.for(['ripgrep', 'js'] as const)('grep (%s) and glob skip a symlinked file that leads outside', async (engine, { workspace, outside }) => {
    await writeFile(join(outside, 'secret.txt'), 'secret\n');
    await symlink(join(outside, 'secret.txt'), join(workspace, 'leak.txt'));
    await writeFile(join(workspace, 'own.txt'), 'no secrets here\n');
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: engine }));
    expect(resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'secret$' } }))).toBe('no matches for secret$ in .');
    const viaPattern = await client.callTool({ name: 'glob', arguments: { pattern: '{..,x}/*' } });
    expect(resultText(viaPattern)).not.toContain('secret');
  });

  test('refuses to read or replace a named pipe instead of hanging on it', async ({ workspace }) => {
    execFileSync('mkfifo', [join(workspace, 'pipe')]);
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'pipe' } });
    expect(resultText(read)).toBe('pipe is not a regular file (a device, socket or pipe); the fs tools read regular files only');
    const write = await client.callTool({ name: 'write_file', arguments: { path: 'pipe', content: 'x' } });
    expect(resultText(write)).toBe('pipe is not a regular file (a device, socket or pipe); write_file replaces regular files only');
  });

  test('glob and list_dir do not follow a symlinked directory out of the root', async ({ workspace, outside }) => {
    await writeFile(join(outside, 'secret.txt'), 'secret\n');
    await symlink(outside, join(workspace, 'escape'));
    await writeFile(join(workspace, 'own.txt'), 'secret too\n');
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: 'js' }));
    expect(resultText(await client.callTool({ name: 'glob', arguments: { pattern: '**/*' } }))).toBe('own.txt');
    expect(resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'secret' } }))).toBe('own.txt:1:secret too');
    expect(resultText(await client.callTool({ name: 'list_dir', arguments: {} }))).toBe('escape@\nown.txt  11 B');
  });
});
