import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { connectInMemory, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

async function fsClient(root: string) {
  return connectInMemory(createFsServer({ root }));
}

describe('read_file', () => {
  test('returns numbered lines', async ({ workspace }) => {
    await writeFile(join(workspace, 'a.txt'), 'alpha\nbeta\n');
    const client = await fsClient(workspace);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).toBe('1\talpha\n2\tbeta');
  });

  test('pages with offset and limit and says where the next page starts', async ({ workspace }) => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    await writeFile(join(workspace, 'long.txt'), `${lines.join('\n')}\n`);
    const client = await fsClient(workspace);
    const page = resultText(await client.callTool({ name: 'read_file', arguments: { path: 'long.txt', offset: 10, limit: 5 } }));
    expect(page).toBe('10\tline 10\n11\tline 11\n12\tline 12\n13\tline 13\n14\tline 14\n[lines 10-14 of 30; read on with offset=15]');
  });

  test('pages a large file by the default line count', async ({ workspace }) => {
    const lines = Array.from({ length: 2500 }, (_, i) => `${i + 1}`);
    await writeFile(join(workspace, 'big.txt'), lines.join('\n'));
    const client = await fsClient(workspace);
    const text = resultText(await client.callTool({ name: 'read_file', arguments: { path: 'big.txt' } }));
    expect(text.split('\n')).toHaveLength(2001);
    expect(text.endsWith('[lines 1-2000 of 2500; read on with offset=2001]')).toBe(true);
    const rest = resultText(await client.callTool({ name: 'read_file', arguments: { path: 'big.txt', offset: 2001 } }));
    expect(rest.split('\n')).toHaveLength(500);
    expect(rest.split('\n').at(-1)).toBe('2500\t2500');
  });

  test('stops a page at the byte budget and cuts very long lines', async ({ workspace }) => {
    const long = 'x'.repeat(5000);
    await writeFile(join(workspace, 'wide.txt'), Array.from({ length: 100 }, () => long).join('\n'));
    const client = await fsClient(workspace);
    const text = resultText(await client.callTool({ name: 'read_file', arguments: { path: 'wide.txt' } }));
    expect(text).toContain('… [line cut: 3000 more chars]');
    expect(text).toMatch(/\[lines 1-\d+ of 100; read on with offset=\d+\]/);
    expect(text.length).toBeLessThan(70_000);
  });

  test('shows CRLF files without carriage returns', async ({ workspace }) => {
    await writeFile(join(workspace, 'dos.txt'), 'one\r\ntwo\r\n');
    const client = await fsClient(workspace);
    expect(resultText(await client.callTool({ name: 'read_file', arguments: { path: 'dos.txt' } }))).toBe('1\tone\n2\ttwo');
  });

  test('refuses binary, missing, directory, past-the-end and oversized reads as tool errors', async ({ workspace }) => {
    await writeFile(join(workspace, 'image.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    await writeFile(join(workspace, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await writeFile(join(workspace, 'short.txt'), 'a\nb\n');
    await writeFile(join(workspace, 'huge.log'), Buffer.alloc(11 * 1024 * 1024, 'a'));
    await mkdir(join(workspace, 'dir'));
    const client = await fsClient(workspace);
    const call = async (args: Record<string, unknown>) => {
      const result = await client.callTool({ name: 'read_file', arguments: args });
      expect(result.isError).toBe(true);
      return resultText(result);
    };
    expect(await call({ path: 'image.bin' })).toBe('image.bin looks binary (it contains NUL bytes); the fs tools read and edit text files only');
    expect(await call({ path: 'latin1.txt' })).toContain('not valid UTF-8');
    expect(await call({ path: 'nope.txt' })).toBe('nope.txt does not exist; check the path with list_dir or glob');
    expect(await call({ path: 'dir' })).toBe('dir is a directory; use list_dir to see its entries');
    expect(await call({ path: 'short.txt', offset: 9 })).toBe('offset 9 is past the end of short.txt, which has 2 lines');
    expect(await call({ path: 'huge.log' })).toMatch(/^huge\.log is 11\.0 MB, over the 10\.0 MB limit of the fs tools; find the lines you need with grep/);
  });

  test('rejects wrong argument types with a validation message', async ({ workspace }) => {
    const client = await fsClient(workspace);
    const noPath = await client.callTool({ name: 'read_file', arguments: {} });
    expect(noPath.isError).toBe(true);
    expect(resultText(noPath)).toMatch(/read_file.*path/s);
    const badOffset = await client.callTool({ name: 'read_file', arguments: { path: 'a', offset: 'ten' } });
    expect(badOffset.isError).toBe(true);
    expect(resultText(badOffset)).toMatch(/offset.*expected number/s);
  });
});

describe('write_file', () => {
  test('creates a file and its parent directories', async ({ workspace }) => {
    const client = await fsClient(workspace);
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'new/deep/file.txt', content: 'hi\nthere\n' } });
    expect(resultText(result)).toBe('created new/deep/file.txt (2 lines, 9 B)');
    expect(await readFile(join(workspace, 'new/deep/file.txt'), 'utf8')).toBe('hi\nthere\n');
  });

  test('keeps the mode and the CRLF line ends of a file it replaces, and leaves no temp file', async ({ workspace }) => {
    const file = join(workspace, 'run.sh');
    await writeFile(file, '#!/bin/sh\r\necho old\r\n');
    await chmod(file, 0o750);
    const client = await fsClient(workspace);
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'run.sh', content: '#!/bin/sh\necho new\n' } });
    expect(resultText(result)).toBe('replaced run.sh (2 lines, 21 B, CRLF line ends kept)');
    expect(await readFile(file, 'utf8')).toBe('#!/bin/sh\r\necho new\r\n');
    expect((await stat(file)).mode & 0o777).toBe(0o750);
    expect(await readdir(workspace)).toEqual(['run.sh']);
  });

  test('writing the same content twice gives the same file (idempotent)', async ({ workspace }) => {
    const client = await fsClient(workspace);
    for (let i = 0; i < 2; i++) await client.callTool({ name: 'write_file', arguments: { path: 'x.txt', content: 'same' } });
    expect(await readFile(join(workspace, 'x.txt'), 'utf8')).toBe('same');
  });

  test('refuses to overwrite a directory', async ({ workspace }) => {
    await mkdir(join(workspace, 'd'));
    const client = await fsClient(workspace);
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'd', content: 'x' } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('d is a directory; give a file path');
  });
});
