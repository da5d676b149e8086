/**
 * The UI draws diffs from the arguments of edit_file, multi_edit and write_file:
 * the argument names it reads must be the ones the real fs server declares, and
 * a call the server accepts (and carries out) must come out as a diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { editDiff, isEditTool } from '../../src/ui/edit-diff.js';
import { connectInMemory, resultText, toolServerTest as test } from '../support/mcp-fixtures.js';

type Schema = { properties?: Record<string, Schema>; items?: Schema; required?: string[] };

describe('edit diffs follow the fs tools', () => {
  test('the argument names the UI reads are the fs server’s own', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace }));
    try {
      const { tools } = await client.listTools();
      const schema = (name: string) => tools.find((tool) => tool.name === name)?.inputSchema as Schema;
      const edits = ['old_string', 'new_string', 'replace_all'];
      expect(Object.keys(schema('edit_file').properties ?? {}).sort()).toEqual(['path', ...edits].sort());
      expect(Object.keys(schema('multi_edit').properties ?? {}).sort()).toEqual(['edits', 'path']);
      expect(Object.keys(schema('multi_edit').properties?.edits?.items?.properties ?? {}).sort()).toEqual([...edits].sort());
      expect(Object.keys(schema('write_file').properties ?? {}).sort()).toEqual(['content', 'path']);
      expect(tools.map((tool) => tool.name).filter(isEditTool).sort()).toEqual(['edit_file', 'multi_edit', 'write_file']);
    } finally {
      await client.close();
    }
  });

  test('calls the server carries out come out as diffs of what changed', async ({ workspace }) => {
    writeFileSync(join(workspace, 'a.js'), 'let x = 1;\nlet y = 1;\nlet z = 1;\n');
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const run = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, resultText(result)).toBeFalsy();
      return editDiff(name, args);
    };
    try {
      const single = await run('edit_file', { path: 'a.js', old_string: 'let y = 1;', new_string: 'let y = 2;' });
      expect(single?.lines.map((line) => line.text)).toEqual(['a.js', '@@', '-let y = 1;', '+let y = 2;']);

      const every = await run('edit_file', { path: 'a.js', old_string: '= 1', new_string: '= 3', replace_all: true });
      expect(every?.lines.map((line) => line.text)).toEqual(['a.js', '@@ every occurrence', '-= 1', '+= 3']);
      expect(readFileSync(join(workspace, 'a.js'), 'utf8')).toBe('let x = 3;\nlet y = 2;\nlet z = 3;\n');

      const multi = await run('multi_edit', { path: 'a.js', edits: [{ old_string: 'x', new_string: 'first' }, { old_string: 'let z', new_string: 'const z' }] });
      expect(multi?.lines.filter((line) => line.kind === 'add' || line.kind === 'del').map((line) => line.text)).toEqual(['-x', '+first', '-let z', '+const z']);

      const written = await run('write_file', { path: 'b.txt', content: 'one\ntwo\n' });
      expect(written?.lines.map((line) => `${line.kind} ${line.text}`)).toEqual(['file b.txt (written)', 'hunk @@ -0,0 +1,2 @@', 'add +one', 'add +two']);

      expect(editDiff('edit_file', { file_path: 'a.js', old_string: 'a', new_string: 'b' })).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
