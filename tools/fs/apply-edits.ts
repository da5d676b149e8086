/**
 * The exact-string replacement behind edit_file and multi_edit, on text with
 * `\n` line ends. An old_string must match exactly once (or any number of
 * times with replace_all); otherwise the edit fails with a message that says
 * how often it matched and shows where, or which lines came closest.
 */
import { ToolError } from '../common/tool-result.js';
import { closestCandidates, renderCandidates } from './closest-candidates.js';

export interface Edit {
  old_string: string;
  new_string: string;
  replace_all?: boolean | undefined;
}

export interface EditOutcome {
  text: string;
  replacements: number;
  /** 1-based line range of the first replacement in the new text. */
  firstLine: number;
  lastLine: number;
}

function matchOffsets(text: string, needle: string): number[] {
  const offsets: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) offsets.push(at);
  return offsets;
}

const lineOf = (text: string, offset: number) => {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

/**
 * Applies one edit to `text`; throws ToolError when it cannot.
 * @param label how to name the edit in errors, e.g. `edit 2 of 3: `
 */
export function applyEdit(text: string, edit: Edit, shown: string, label = ''): EditOutcome {
  const needle = edit.old_string.replaceAll('\r\n', '\n');
  const replacement = edit.new_string.replaceAll('\r\n', '\n');
  if (needle === '') throw new ToolError(`${label}old_string is empty; to create or overwrite a file use write_file`);
  if (needle === replacement) throw new ToolError(`${label}old_string and new_string are the same; nothing would change`);
  const offsets = matchOffsets(text, needle);
  if (offsets.length === 0) {
    const candidates = closestCandidates(text.split('\n'), needle);
    const where = candidates.length > 0
      ? ` Closest:\n${renderCandidates(candidates)}\nCopy the exact text (without line numbers) from read_file and try again.`
      : ' Nothing similar found; read the file first and copy the exact text.';
    throw new ToolError(`${label}old_string matched 0 places in ${shown}.${where}`);
  }
  if (offsets.length > 1 && edit.replace_all !== true) {
    const lines = offsets.slice(0, 10).map((offset) => lineOf(text, offset));
    const more = offsets.length > 10 ? `, …` : '';
    throw new ToolError(
      `${label}old_string matched ${offsets.length} places in ${shown} (lines ${lines.join(', ')}${more}); include more surrounding lines to make it unique, or set replace_all to change every one`,
    );
  }
  const first = offsets[0] ?? 0;
  const next = edit.replace_all === true ? text.split(needle).join(replacement) : text.slice(0, first) + replacement + text.slice(first + needle.length);
  const firstLine = lineOf(next, first);
  const lastLine = firstLine + Math.max(0, replacement.split('\n').length - 1);
  return { text: next, replacements: edit.replace_all === true ? offsets.length : 1, firstLine, lastLine };
}

/** Applies edits in order to one text; any failure throws and nothing is kept (all or nothing). */
export function applyEdits(text: string, edits: readonly Edit[], shown: string): { text: string; outcomes: EditOutcome[] } {
  const outcomes: EditOutcome[] = [];
  let current = text;
  edits.forEach((edit, index) => {
    const label = edits.length > 1 ? `edit ${index + 1} of ${edits.length}: ` : '';
    const outcome = applyEdit(current, edit, shown, label);
    outcomes.push(outcome);
    current = outcome.text;
  });
  return { text: current, outcomes };
}

/** A few numbered lines around lines first..last of `text`, to confirm an edit to the model. */
export function snippetAround(text: string, first: number, last: number, context = 2, maxLines = 16): string {
  const lines = text.split('\n');
  const from = Math.max(1, first - context);
  const to = Math.min(lines.length, last + context, from + maxLines - 1);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${String(n).padStart(width)}\t${lines[n - 1] ?? ''}`);
  return out.join('\n');
}
