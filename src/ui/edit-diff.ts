/**
 * Coloured diffs of file edits, built from the call's own arguments with the
 * `diff` package: `edit_file` and `multi_edit` show old → new strings, `write_file`
 * shows the written content as added lines. The shapes mirror the fs tools' input
 * schemas (tools/fs/edit-file.ts, write-file.ts); the values are the model's
 * (untrusted), so they are checked with zod and anything else shows no diff.
 */
import { structuredPatch } from 'diff';
import { z } from 'zod';

export type DiffLineKind = 'file' | 'hunk' | 'add' | 'del' | 'ctx';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

export interface EditDiff {
  lines: DiffLine[];
  /** Diff lines left out to keep the item short. */
  more: number;
}

/** @default 40 lines of diff per edit. */
export const MAX_DIFF_LINES = 40;

const pathFields = z.object({ path: z.string() });
const replacement = z.object({ old_string: z.string(), new_string: z.string(), replace_all: z.boolean().optional() });
const writeFileArgs = pathFields.extend({ content: z.string() });
const editFileArgs = pathFields.extend(replacement.shape);
const multiEditArgs = pathFields.extend({ edits: z.array(replacement).min(1) });

/** The tools whose finished items show a diff. */
export function isEditTool(name: string): boolean {
  return name === 'write_file' || name === 'edit_file' || name === 'multi_edit';
}

export function editDiff(name: string, args: Record<string, unknown>, maxLines = MAX_DIFF_LINES): EditDiff | undefined {
  const collector = new LineCollector(maxLines);
  if (name === 'write_file') {
    const parsed = writeFileArgs.safeParse(args);
    if (!parsed.success) return undefined;
    const file = parsed.data.path;
    collector.push({ kind: 'file', text: `${file} (written)` });
    collector.addPatch(file, '', headOf(parsed.data.content, maxLines + 1), true);
    collector.countExtra(lineCount(parsed.data.content) - (maxLines + 1));
    return collector.result();
  }
  const edits =
    name === 'edit_file' ? single(editFileArgs.safeParse(args)) : name === 'multi_edit' ? multi(multiEditArgs.safeParse(args)) : undefined;
  if (edits === undefined) return undefined;
  collector.push({ kind: 'file', text: edits.file });
  for (const edit of edits.replacements) collector.addPatch(edits.file, edit.old_string, edit.new_string, false, edit.replace_all === true);
  return collector.result();
}

type Replacement = z.infer<typeof replacement>;

function single(parsed: z.ZodSafeParseResult<z.infer<typeof editFileArgs>>) {
  if (!parsed.success) return undefined;
  return { file: parsed.data.path, replacements: [parsed.data] as Replacement[] };
}

function multi(parsed: z.ZodSafeParseResult<z.infer<typeof multiEditArgs>>) {
  if (!parsed.success) return undefined;
  return { file: parsed.data.path, replacements: parsed.data.edits };
}

class LineCollector {
  private readonly lines: DiffLine[] = [];
  private more = 0;
  constructor(private readonly max: number) {}

  push(line: DiffLine): void {
    if (this.lines.length < this.max) this.lines.push(line);
    else this.more += 1;
  }

  countExtra(count: number): void {
    if (count > 0) this.more += count;
  }

  /** Line numbers are shown only when they are the file's own (a whole-file write). */
  addPatch(file: string, before: string, after: string, fileLineNumbers: boolean, everyOccurrence = false): void {
    const patch = structuredPatch(file, file, withNewline(before), withNewline(after), '', '', { context: 2 });
    for (const hunk of patch.hunks) {
      const header = fileLineNumbers ? `@@ -${rangeStart(hunk.oldStart, hunk.oldLines)},${hunk.oldLines} +${rangeStart(hunk.newStart, hunk.newLines)},${hunk.newLines} @@` : everyOccurrence ? '@@ every occurrence' : '@@';
      this.push({ kind: 'hunk', text: header });
      for (const line of hunk.lines) {
        if (line.startsWith('\\')) continue;
        const kind: DiffLineKind = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
        this.push({ kind, text: line });
      }
    }
  }

  result(): EditDiff {
    return { lines: this.lines, more: this.more };
  }
}

/** An empty range starts at the line before it, as in unified diffs (a new file is `-0,0`). */
function rangeStart(start: number, lines: number): number {
  return lines === 0 ? Math.max(0, start - 1) : start;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function headOf(text: string, count: number): string {
  let index = -1;
  for (let seen = 0; seen < count; seen += 1) {
    index = text.indexOf('\n', index + 1);
    if (index === -1) return text;
  }
  return text.slice(0, index + 1);
}

function lineCount(text: string): number {
  if (text === '') return 0;
  let count = text.endsWith('\n') ? 0 : 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}
