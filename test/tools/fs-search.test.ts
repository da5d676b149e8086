import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { chooseGrepEngine } from '../../tools/fs/grep.js';
import { connectInMemory, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

/** A small project: a .gitignore at the root and a nested one, hidden files, a binary file. */
async function project(root: string): Promise<void> {
  const files: Record<string, string | Buffer> = {
    '.gitignore': 'node_modules/\n*.log\n/build\n',
    '.github/ci.yml': 'name: ci # TODO check\n',
    'README.md': '# demo\nTODO: write docs\n',
    'src/a-b.ts': 'export const todo = 1; // TODO\n',
    'src/a/z.ts': 'export const z = "TODO";\n',
    'src/app.ts': 'import x from "y";\n// todo lowercase\n',
    'src/gen/.gitignore': '*.gen.ts\n!keep.gen.ts\n',
    'src/gen/skip.gen.ts': 'TODO generated\n',
    'src/gen/keep.gen.ts': 'TODO kept\n',
    'node_modules/dep/index.js': 'TODO in a dependency\n',
    'build/out.js': 'TODO built\n',
    'debug.log': 'TODO log\n',
    'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x54, 0x4f, 0x44, 0x4f]),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  await mkdir(join(root, '.git'), { recursive: true });
  await writeFile(join(root, '.git', 'HEAD'), 'TODO not a real repo\n');
}

describe('glob', () => {
  test('matches files, respects root and nested .gitignore files, skips .git', async ({ workspace }) => {
    await project(workspace);
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const all = resultText(await client.callTool({ name: 'glob', arguments: { pattern: '**/*' } }));
    expect(all.split('\n')).toEqual([
      '.github/ci.yml',
      '.gitignore',
      'README.md',
      'logo.png',
      'src/a-b.ts',
      'src/a/z.ts',
      'src/app.ts',
      'src/gen/.gitignore',
      'src/gen/keep.gen.ts',
    ]);
    const ts = resultText(await client.callTool({ name: 'glob', arguments: { pattern: '*.ts', path: 'src' } }));
    expect(ts).toBe('src/a-b.ts\nsrc/app.ts');
  });

  test('says when nothing matches, caps long lists and refuses patterns that climb out', async ({ workspace }) => {
    for (let i = 0; i < 205; i++) await writeFile(join(workspace, `f${String(i).padStart(3, '0')}.txt`), '');
    const client = await connectInMemory(createFsServer({ root: workspace }));
    expect(resultText(await client.callTool({ name: 'glob', arguments: { pattern: '*.md' } }))).toBe('no files match *.md in .');
    const many = resultText(await client.callTool({ name: 'glob', arguments: { pattern: '*.txt' } })).split('\n');
    expect(many).toHaveLength(201);
    expect(many.at(-1)).toBe('[200 of 205 files shown; narrow the pattern or path]');
    const escape = await client.callTool({ name: 'glob', arguments: { pattern: '../*' } });
    expect(escape.isError).toBe(true);
    expect(resultText(escape)).toBe('pattern "../*" leaves the search directory; use a relative pattern and set path instead');
    const notDir = await client.callTool({ name: 'glob', arguments: { pattern: '*', path: 'f000.txt' } });
    expect(resultText(notDir)).toBe('f000.txt is not a directory; give a directory as path');
  });
});

describe('list_dir', () => {
  test('lists directories first, files with sizes, and counts ignored entries', async ({ workspace }) => {
    await project(workspace);
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const root = resultText(await client.callTool({ name: 'list_dir', arguments: {} }));
    expect(root).toBe(
      '.github/\nsrc/\n.gitignore  27 B\nlogo.png  9 B\nREADME.md  24 B\n[4 ignored by .gitignore: .git/ build/ debug.log node_modules/]',
    );
    const gen = resultText(await client.callTool({ name: 'list_dir', arguments: { path: 'src/gen' } }));
    expect(gen).toBe('.gitignore  22 B\nkeep.gen.ts  10 B\n[1 ignored by .gitignore: skip.gen.ts]');
  });

  test('a file or a missing path is a tool error', async ({ workspace }) => {
    await writeFile(join(workspace, 'f.txt'), 'x');
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const file = await client.callTool({ name: 'list_dir', arguments: { path: 'f.txt' } });
    expect(resultText(file)).toBe('f.txt is a file, not a directory; use read_file');
    const missing = await client.callTool({ name: 'list_dir', arguments: { path: 'nope' } });
    expect(missing.isError).toBe(true);
    expect(resultText(missing)).toBe('nope does not exist; list its parent directory to see what is there');
  });
});

describe.each(['ripgrep', 'js'] as const)('grep with the %s engine', (engine) => {
  test('finds matches in path order, skipping ignored, binary and .git files', async ({ workspace }) => {
    await project(workspace);
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: engine }));
    const text = resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'TODO' } }));
    expect(text).toBe(
      [
        '.github/ci.yml:1:name: ci # TODO check',
        'README.md:2:TODO: write docs',
        'src/a/z.ts:1:export const z = "TODO";',
        'src/a-b.ts:1:export const todo = 1; // TODO',
        'src/gen/keep.gen.ts:1:TODO kept',
      ].join('\n'),
    );
  });

  test('filters by glob and path, ignores case on request', async ({ workspace }) => {
    await project(workspace);
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: engine }));
    const ts = resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'todo', glob: '*.ts', ignore_case: true } }));
    expect(ts).toBe(
      [
        'src/a/z.ts:1:export const z = "TODO";',
        'src/a-b.ts:1:export const todo = 1; // TODO',
        'src/app.ts:2:// todo lowercase',
        'src/gen/keep.gen.ts:1:TODO kept',
      ].join('\n'),
    );
    const oneFile = resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'lower\\w+', path: 'src/app.ts' } }));
    expect(oneFile).toBe('src/app.ts:2:// todo lowercase');
    const none = resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'absent', path: 'src' } }));
    expect(none).toBe('no matches for absent in src');
  });

  test('caps the output and shortens long lines', async ({ workspace }) => {
    const lines = Array.from({ length: 150 }, (_, i) => `hit ${i}`);
    await writeFile(join(workspace, 'many.txt'), `${lines.join('\n')}\nhit ${'x'.repeat(400)}\n`);
    await writeFile(join(workspace, 'wide.txt'), `hit ${'y'.repeat(400)}\n`);
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: engine }));
    const many = resultText(await client.callTool({ name: 'grep', arguments: { pattern: '^hit' } })).split('\n');
    expect(many).toHaveLength(101);
    expect(many.at(-1)).toBe('[first 100 matches shown, more exist; narrow with path or glob]');
    const wide = resultText(await client.callTool({ name: 'grep', arguments: { pattern: 'hit', path: 'wide.txt' } }));
    expect(wide).toBe(`wide.txt:1:hit ${'y'.repeat(296)}… [+104 chars]`);
  });

  test('an invalid regex or a missing path is a tool error', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace, grepEngine: engine }));
    const bad = await client.callTool({ name: 'grep', arguments: { pattern: '(unclosed' } });
    expect(bad.isError).toBe(true);
    expect(resultText(bad)).toMatch(/^invalid regular expression: /);
    const missing = await client.callTool({ name: 'grep', arguments: { pattern: 'x', path: 'nope' } });
    expect(resultText(missing)).toBe('nope does not exist; check the path with list_dir or glob');
  });
});

test('auto picks ripgrep when it is on PATH and the JS engine when it is not', async ({ workspace }) => {
  expect(await chooseGrepEngine({ root: workspace, grepEngine: 'auto', ripgrepPath: 'rg' })).toBe('ripgrep');
  expect(await chooseGrepEngine({ root: workspace, grepEngine: 'auto', ripgrepPath: join(workspace, 'no-rg-here') })).toBe('js');
});
