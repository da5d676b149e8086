/**
 * The diff an edit waiting for approval shows: the file read from the workspace,
 * the edit applied as the fs tools apply it, line numbers of the file itself;
 * nothing read outside the workspace, and no diff for an edit that cannot apply.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { approvalDiff, formatDiffRow } from '../../src/ui/approval-diff.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'endure-approval-diff-')));
const workspace = join(scratch, 'ws');
mkdirSync(join(workspace, 'src'), { recursive: true });
writeFileSync(join(workspace, 'src', 'a.ts'), Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join('\n') + '\n');
writeFileSync(join(scratch, 'outside.txt'), 'secret\n');
symlinkSync(join(scratch, 'outside.txt'), join(workspace, 'link.txt'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rows = (diff: ReturnType<typeof approvalDiff>) => diff!.rows.map((row) => formatDiffRow(row, 2));

describe('the diff of an edit waiting for approval', () => {
  test('multi_edit: each edit in order, two hunks with the file’s line numbers', () => {
    const diff = approvalDiff('multi_edit', { path: 'src/a.ts', edits: [{ old_string: 'line 2\n', new_string: 'line two\n' }, { old_string: 'line 18', new_string: 'line 18\nline 18b' }] }, workspace);
    expect(diff?.headline).toBe('+2 -1');
    expect(rows(diff)).toEqual([
      '@@ -1,5 +1,5 @@', ' 1   line 1', ' 2 - line 2', ' 2 + line two', ' 3   line 3', ' 4   line 4', ' 5   line 5',
      '@@ -16,5 +16,6 @@', '16   line 16', '17   line 17', '18   line 18', '19 + line 18b', '20   line 19', '21   line 20',
    ]);
  });

  test('edit_file with replace_all, and a new file in a new directory', () => {
    expect(approvalDiff('edit_file', { path: 'src/a.ts', old_string: 'line 1', new_string: 'LINE 1', replace_all: true }, workspace)?.headline).toBe('+11 -11');
    const created = approvalDiff('write_file', { path: 'docs/new.md', content: 'hello\n' }, workspace);
    expect(created?.headline).toBe('new file, 1 line');
    expect(rows(created)).toEqual(['@@ -0,0 +1,1 @@', ' 1 + hello']);
  });

  test('no diff outside the workspace, through a symlink, or for an edit that matches nothing', () => {
    expect(approvalDiff('write_file', { path: '../outside.txt', content: 'x' }, workspace)).toBeUndefined();
    expect(approvalDiff('edit_file', { path: 'link.txt', old_string: 'secret', new_string: 'x' }, workspace)).toBeUndefined();
    expect(approvalDiff('edit_file', { path: join(scratch, 'outside.txt'), old_string: 'secret', new_string: 'x' }, workspace)).toBeUndefined();
    expect(approvalDiff('edit_file', { path: 'src/a.ts', old_string: 'not there', new_string: 'x' }, workspace)).toBeUndefined();
    expect(approvalDiff('run_shell', { command: 'ls' }, workspace)).toBeUndefined();
  });
});
