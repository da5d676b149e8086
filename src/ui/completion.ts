/**
 * Tab in the prompt box: completes a slash command's name, or an `@path`
 * mention, at the cursor. Pure functions of the draft, so the rules are tested
 * without a terminal; listing directories is passed in (the UI's own reader).
 */
import type { CustomCommand } from '../context/custom-commands.js';
import type { LineState } from './line-editor.js';
import { completions, type Completion } from './slash-commands.js';

/** Lists the entries of a workspace directory (`/` after directory names); [] when it cannot. */
export type ListDirectory = (relativeDir: string) => string[];

export interface CompletionSources {
  custom: readonly CustomCommand[];
  /** Absent where paths cannot be completed (a replay). */
  listDirectory?: ListDirectory;
}

/** What the person is completing: a command name (the whole draft) or the path after an `@`. */
export function suggestionsFor(line: LineState, sources: CompletionSources): Completion[] {
  if (line.cursor === line.text.length) {
    const commands = completions(line.text, sources.custom);
    if (commands.length > 0) return commands;
  }
  const mention = mentionAt(line);
  if (mention === undefined || sources.listDirectory === undefined) return [];
  const { dir, base } = splitPath(mention.path);
  return sources
    .listDirectory(dir)
    .filter((entry) => entry.startsWith(base) && (base.startsWith('.') || !entry.startsWith('.')))
    .map((entry) => ({ name: `@${dir}${entry}`, help: '' }));
}

/** The line after Tab, or undefined when Tab completes nothing here. */
export function complete(line: LineState, sources: CompletionSources): LineState | undefined {
  const candidates = suggestionsFor(line, sources);
  if (candidates.length === 0) return undefined;
  const names = candidates.map((candidate) => candidate.name);
  const common = commonPrefix(names);
  const mention = line.cursor === line.text.length && completions(line.text, sources.custom).length > 0 ? undefined : mentionAt(line);
  if (mention === undefined) {
    const text = candidates.length === 1 ? `/${names[0]} ` : `/${common}`;
    return text.length > line.text.length || candidates.length === 1 ? { text, cursor: text.length } : undefined;
  }
  const rest = line.text.slice(line.cursor);
  const space = /^\s/.test(rest) ? '' : ' ';
  const replacement = candidates.length === 1 && !names[0]!.endsWith('/') ? `${names[0]}${space}` : common;
  if (replacement.length <= mention.path.length + 1) return undefined;
  const text = line.text.slice(0, mention.start) + replacement + line.text.slice(line.cursor);
  return { text, cursor: mention.start + replacement.length };
}

/** An `@path` that ends at the cursor (the `@` at a word's start). */
export function mentionAt(line: LineState): { start: number; path: string } | undefined {
  const before = line.text.slice(0, line.cursor);
  const match = /(^|\s)@([^\s@]*)$/.exec(before);
  if (match === null) return undefined;
  const start = before.length - match[2]!.length - 1;
  return { start, path: match[2]! };
}

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? { dir: '', base: path } : { dir: path.slice(0, slash + 1), base: path.slice(slash + 1) };
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
