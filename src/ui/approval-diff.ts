/**
 * What an edit waiting for approval would do to its file: the file as it is,
 * the edit applied the way the fs tools apply it, and a unified diff of the two
 * with the file's own line numbers and a few lines of context. The file is read
 * only inside the workspace (after symlinks); anything else (a path outside, an
 * old_string that matches nothing, arguments of the wrong shape) gives no diff,
 * and the prompt falls back to the call's own strings.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { structuredPatch } from 'diff';
import { z } from 'zod';

/** @default 3 lines of context around each change. */
export const APPROVAL_CONTEXT_LINES = 3;
/** @default 1 MB: a larger file is not diffed in the prompt. */
export const MAX_DIFFED_FILE_BYTES = 1024 * 1024;

export interface ApprovalDiffRow {
  kind: 'hunk' | 'add' | 'del' | 'ctx';
  /** The file's line number: the old file's for removed lines, the new file's otherwise. */
  line?: number;
  text: string;
}

export interface ApprovalDiff {
  /** `new file`, or how many lines are added and removed. */
  headline: string;
  rows: ApprovalDiffRow[];
}

const replacement = z.object({ old_string: z.string(), new_string: z.string(), replace_all: z.boolean().optional() });
const editArgs = z.object({ path: z.string() }).extend(replacement.shape);
const multiArgs = z.object({ path: z.string(), edits: z.array(replacement).min(1) });
const writeArgs = z.object({ path: z.string(), content: z.string() });

function insideRoot(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The file's text, '' for a file that does not exist yet, undefined when it may not or cannot be read. */
function currentText(workspace: string, path: string): string | undefined {
  try {
    const root = realpathSync(workspace);
    let existing = resolve(workspace, path);
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    if (!insideRoot(root, realpathSync(existing))) return undefined;
    const target = resolve(workspace, path);
    if (existing !== target) return '';
    if (!statSync(target).isFile() || statSync(target).size > MAX_DIFFED_FILE_BYTES) return undefined;
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
}

function applyEdit(text: string, edit: z.infer<typeof replacement>): string | undefined {
  if (edit.old_string === '' || !text.includes(edit.old_string)) return undefined;
  return edit.replace_all === true ? text.split(edit.old_string).join(edit.new_string) : text.replace(edit.old_string, () => edit.new_string);
}

/** The before and after of an edit tool's call, or undefined when the call is not one (or cannot apply). */
function beforeAfter(tool: string, args: Record<string, unknown>, workspace: string): { path: string; before: string; after: string; created: boolean } | undefined {
  if (tool === 'write_file') {
    const parsed = writeArgs.safeParse(args);
    if (!parsed.success) return undefined;
    const before = currentText(workspace, parsed.data.path);
    if (before === undefined) return undefined;
    return { path: parsed.data.path, before, after: parsed.data.content, created: !existsSync(resolve(workspace, parsed.data.path)) };
  }
  const parsed = tool === 'edit_file' ? editArgs.safeParse(args) : tool === 'multi_edit' ? multiArgs.safeParse(args) : undefined;
  if (parsed === undefined || !parsed.success) return undefined;
  const before = currentText(workspace, parsed.data.path);
  if (before === undefined || before === '') return undefined;
  const edits = 'edits' in parsed.data ? parsed.data.edits : [parsed.data];
  let after: string | undefined = before;
  for (const edit of edits) {
    after = after === undefined ? undefined : applyEdit(after, edit);
  }
  return after === undefined ? undefined : { path: parsed.data.path, before, after, created: false };
}

export function approvalDiff(tool: string, args: Record<string, unknown>, workspace: string): ApprovalDiff | undefined {
  const change = beforeAfter(tool, args, workspace);
  if (change === undefined) return undefined;
  const patch = structuredPatch(change.path, change.path, change.before, change.after, '', '', { context: APPROVAL_CONTEXT_LINES });
  const rows: ApprovalDiffRow[] = [];
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    rows.push({ kind: 'hunk', text: `@@ -${rangeStart(hunk.oldStart, hunk.oldLines)},${hunk.oldLines} +${rangeStart(hunk.newStart, hunk.newLines)},${hunk.newLines} @@` });
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      if (line.startsWith('\\')) continue;
      const text = line.slice(1);
      if (line.startsWith('-')) {
        rows.push({ kind: 'del', line: oldLine++, text });
        removed += 1;
      } else if (line.startsWith('+')) {
        rows.push({ kind: 'add', line: newLine++, text });
        added += 1;
      } else {
        rows.push({ kind: 'ctx', line: newLine++, text });
        oldLine += 1;
      }
    }
  }
  const headline = change.created ? `new file, ${added} ${added === 1 ? 'line' : 'lines'}` : rows.length === 0 ? 'no change to the file' : `+${added} -${removed}`;
  return { headline, rows };
}

/** An empty range starts at the line before it, as in unified diffs (a new file is `-0,0`). */
function rangeStart(start: number, lines: number): number {
  return lines === 0 ? Math.max(0, start - 1) : start;
}

/** One row as text: the line number, then `-`, `+` or a space, then the line. */
export function formatDiffRow(row: ApprovalDiffRow, width: number): string {
  if (row.kind === 'hunk') return row.text;
  const sign = row.kind === 'add' ? '+' : row.kind === 'del' ? '-' : ' ';
  return `${String(row.line ?? '').padStart(width)} ${sign} ${row.text}`;
}
