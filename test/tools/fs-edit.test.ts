import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { connectInMemory, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

const SOURCE = ['function greet(name) {', '  const message = "hello " + name;', '  return message;', '}', ''].join('\n');

async function setup(workspace: string, content = SOURCE, file = 'greet.js') {
  await writeFile(join(workspace, file), content);
  return connectInMemory(createFsServer({ root: workspace }));
}

describe('edit_file', () => {
  test('replaces a unique match and shows the edited lines', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({
      name: 'edit_file',
      arguments: { path: 'greet.js', old_string: '  return message;', new_string: '  return message.toUpperCase();' },
    });
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).toBe(
      'edited greet.js: 1 replacement; lines 3-3 now read:\n1\tfunction greet(name) {\n2\t  const message = "hello " + name;\n3\t  return message.toUpperCase();\n4\t}\n5\t',
    );
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain('return message.toUpperCase();');
  });

  test('0 matches: says so and shows the whitespace-insensitive candidate', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({
      name: 'edit_file',
      arguments: { path: 'greet.js', old_string: 'return   message;', new_string: 'return 1;' },
    });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe(
      'old_string matched 0 places in greet.js. Closest:\nlines 3-3 (same text except whitespace):\n3\t  return message;\nCopy the exact text (without line numbers) from read_file and try again.',
    );
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toBe(SOURCE);
  });

  test('0 matches: shows the most similar lines when nothing matches even loosely', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({
      name: 'edit_file',
      arguments: { path: 'greet.js', old_string: 'const mesage = "hello" + name;', new_string: 'x' },
    });
    const text = resultText(result);
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^old_string matched 0 places in greet\.js\. Closest:\nlines 2-2 \(\d+% similar\):\n2\t  const message = "hello " \+ name;/);
  });

  test('several matches: lists their lines unless replace_all', async ({ workspace }) => {
    const client = await setup(workspace, 'a = 1\nb = 2\na = 1\na = 1\n', 'vars.txt');
    const many = await client.callTool({ name: 'edit_file', arguments: { path: 'vars.txt', old_string: 'a = 1', new_string: 'a = 9' } });
    expect(many.isError).toBe(true);
    expect(resultText(many)).toBe(
      'old_string matched 3 places in vars.txt (lines 1, 3, 4); include more surrounding lines to make it unique, or set replace_all to change every one',
    );
    const all = await client.callTool({
      name: 'edit_file',
      arguments: { path: 'vars.txt', old_string: 'a = 1', new_string: 'a = $&9', replace_all: true },
    });
    expect(resultText(all)).toMatch(/^edited vars\.txt: 3 replacements/);
    expect(await readFile(join(workspace, 'vars.txt'), 'utf8')).toBe('a = $&9\nb = 2\na = $&9\na = $&9\n');
  });

  test('refuses empty and no-op edits', async ({ workspace }) => {
    const client = await setup(workspace);
    const empty = await client.callTool({ name: 'edit_file', arguments: { path: 'greet.js', old_string: '', new_string: 'x' } });
    expect(resultText(empty)).toBe('old_string is empty; to create or overwrite a file use write_file');
    const same = await client.callTool({ name: 'edit_file', arguments: { path: 'greet.js', old_string: '}', new_string: '}' } });
    expect(resultText(same)).toBe('old_string and new_string are the same; nothing would change');
  });

  test('keeps CRLF line ends, the BOM and the mode; leaves no temp file', async ({ workspace }) => {
    const file = join(workspace, 'win.bat');
    await writeFile(file, '\uFEFF@echo off\r\necho one\r\necho two\r\n');
    await chmod(file, 0o755);
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const result = await client.callTool({
      name: 'edit_file',
      arguments: { path: 'win.bat', old_string: 'echo one\necho two', new_string: 'echo 1\necho 2\necho 3' },
    });
    expect(result.isError).toBeFalsy();
    expect(await readFile(file, 'utf8')).toBe('\uFEFF@echo off\r\necho 1\r\necho 2\r\necho 3\r\n');
    expect((await stat(file)).mode & 0o777).toBe(0o755);
    expect(await readdir(workspace)).toEqual(['win.bat']);
  });

  test('a missing file is a tool error', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const result = await client.callTool({ name: 'edit_file', arguments: { path: 'gone.ts', old_string: 'a', new_string: 'b' } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('gone.ts does not exist; check the path with list_dir or glob');
  });
});

describe('multi_edit', () => {
  test('applies edits in order, each on the previous result', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({
      name: 'multi_edit',
      arguments: {
        path: 'greet.js',
        edits: [
          { old_string: 'greet(name)', new_string: 'greet(person)' },
          { old_string: '+ name', new_string: '+ person' },
          { old_string: 'message', new_string: 'text', replace_all: true },
        ],
      },
    });
    expect(resultText(result)).toMatch(/^edited greet\.js: 4 replacements/);
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toBe(
      'function greet(person) {\n  const text = "hello " + person;\n  return text;\n}\n',
    );
  });

  test('is all or nothing: one failing edit leaves the file unchanged', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({
      name: 'multi_edit',
      arguments: {
        path: 'greet.js',
        edits: [
          { old_string: 'greet(name)', new_string: 'greet(person)' },
          { old_string: 'no such text', new_string: 'x' },
        ],
      },
    });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^edit 2 of 2: old_string matched 0 places in greet\.js\./);
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toBe(SOURCE);
    expect(await readdir(workspace)).toEqual(['greet.js']);
  });

  test('an empty edit list is a validation error', async ({ workspace }) => {
    const client = await setup(workspace);
    const result = await client.callTool({ name: 'multi_edit', arguments: { path: 'greet.js', edits: [] } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/edits/);
  });
});
