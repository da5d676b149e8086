/**
 * /rewind on screen, as data: the steps of the picker (loading the turns,
 * choosing one, asking about files changed outside the session, restoring)
 * and what a key does at each step, as a pure function. The component draws a
 * RewindView; the controller's RewindFlow runs the steps against the session.
 */
import type { Key } from 'ink';
import type { RewindPoint } from '../agent/controls.js';

export type RewindView =
  | { step: 'loading' }
  | { step: 'choose'; points: readonly RewindPoint[]; selected: number }
  /** Files changed outside the session would be overwritten: keep them (cancel) or save them and go on. */
  | { step: 'confirm'; point: RewindPoint; files: readonly string[] }
  | { step: 'restoring'; turn: number };

export type RewindKey =
  | { kind: 'move'; selected: number }
  | { kind: 'choose'; point: RewindPoint }
  | { kind: 'save' }
  | { kind: 'cancel' }
  | { kind: 'none' };

/** @default 10 rows a page moves (PageUp/PageDown). */
const PAGE = 10;

export function rewindKey(view: RewindView, input: string, key: Key): RewindKey {
  switch (view.step) {
    case 'loading':
      return key.escape ? { kind: 'cancel' } : { kind: 'none' };
    case 'restoring':
      return { kind: 'none' };
    case 'confirm':
      if (input === 's') return { kind: 'save' };
      if (key.escape || input === 'k' || input === 'q') return { kind: 'cancel' };
      return { kind: 'none' };
    case 'choose': {
      const last = view.points.length - 1;
      const to = (selected: number): RewindKey => ({ kind: 'move', selected: Math.min(last, Math.max(0, selected)) });
      if (key.upArrow || input === 'k') return to(view.selected - 1);
      if (key.downArrow || input === 'j') return to(view.selected + 1);
      if (key.pageUp) return to(view.selected - PAGE);
      if (key.pageDown) return to(view.selected + PAGE);
      if (key.home) return to(0);
      if (key.end) return to(last);
      if (key.return) return { kind: 'choose', point: view.points[view.selected]! };
      if (key.escape || input === 'q') return { kind: 'cancel' };
      return { kind: 'none' };
    }
    default:
      return view satisfies never;
  }
}

/**
 * The files as one short line: paths clipped from the left (the file's name is what
 * matters), as many as fit in `width`, then "+N".
 */
export function shortFiles(files: readonly string[], width: number): string {
  if (files.length === 0) return '';
  const shown: string[] = [];
  let used = 0;
  for (const [index, file] of files.entries()) {
    const name = clipLeft(file, 28);
    const rest = files.length - index - 1;
    const extra = rest > 0 ? ` +${rest}`.length : 0;
    const cost = (shown.length > 0 ? 2 : 0) + name.length;
    if (shown.length > 0 && used + cost + extra > width) return `${shown.join(', ')} +${files.length - index}`;
    shown.push(name);
    used += cost;
  }
  return shown.join(', ');
}

function clipLeft(path: string, max: number): string {
  if (path.length <= max) return path;
  return `…${path.slice(path.length - max + 1)}`;
}
