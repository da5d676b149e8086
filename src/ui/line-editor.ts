/**
 * The prompt box's editing rules as a pure function of (line, key): insert, delete,
 * move, submit. Kept apart from React so the rules are tested without a terminal and
 * so that keys the app binds (Tab, Esc, Ctrl+C, Ctrl+O) never leak into the text.
 */
import type { Key } from 'ink';

export interface LineState {
  text: string;
  /** Cursor position as an index into `text`. */
  cursor: number;
}

export const EMPTY_LINE: LineState = { text: '', cursor: 0 };

export interface LineEdit {
  line: LineState;
  /** Set when Enter was pressed on a non-blank line. */
  submitted?: string;
}

export function editLine(line: LineState, input: string, key: Key): LineEdit {
  if (key.return) {
    if (key.shift || key.meta) return { line: insert(line, '\n') };
    const text = line.text.trim();
    return text === '' ? { line } : { line: EMPTY_LINE, submitted: text };
  }
  if (key.backspace) {
    if (line.cursor === 0) return { line };
    return { line: { text: line.text.slice(0, line.cursor - 1) + line.text.slice(line.cursor), cursor: line.cursor - 1 } };
  }
  if (key.delete) {
    return { line: { text: line.text.slice(0, line.cursor) + line.text.slice(line.cursor + 1), cursor: line.cursor } };
  }
  if (key.leftArrow) return { line: { ...line, cursor: Math.max(0, line.cursor - 1) } };
  if (key.rightArrow) return { line: { ...line, cursor: Math.min(line.text.length, line.cursor + 1) } };
  if (key.home || (key.ctrl && input === 'a')) return { line: { ...line, cursor: 0 } };
  if (key.end || (key.ctrl && input === 'e')) return { line: { ...line, cursor: line.text.length } };
  if (key.ctrl && input === 'u') return { line: EMPTY_LINE };
  if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown) {
    return { line };
  }
  if (input === '') return { line };
  // Keys that arrive in one read with text (a paste, a fast typist) come as text: their control bytes are dropped.
  const text = input.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return text === '' ? { line } : { line: insert(line, text) };
}

function insert(line: LineState, text: string): LineState {
  return { text: line.text.slice(0, line.cursor) + text + line.text.slice(line.cursor), cursor: line.cursor + text.length };
}
