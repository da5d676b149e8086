/**
 * Where sessions live on disk, and how they are named. The home is
 * `$ENDURE_HOME`, else `$XDG_STATE_HOME/endure`, else `~/.local/state/endure`;
 * a session is the directory `<home>/sessions/<id>/` holding `journal.jsonl`,
 * `blobs/`, `summary.json` and, while a process writes it, `lock`.
 *
 * Session ids sort by creation time and are unique: a compact UTC timestamp
 * with milliseconds and a random suffix, e.g. `20250314-093015-042-7f3a9c`.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { JournalError } from '../src/shared/errors.js';

/** The environment variables the home depends on. */
export type HomeEnv = Partial<Record<'ENDURE_HOME' | 'XDG_STATE_HOME' | 'HOME', string>>;

/** The endure state directory for `env` (relative values resolve against the cwd; an XDG value that is not absolute is ignored, as the spec says). */
export function resolveHome(env: HomeEnv = process.env, home: string = env.HOME || homedir()): string {
  if (env.ENDURE_HOME) return resolve(env.ENDURE_HOME);
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'endure');
  return join(home, '.local', 'state', 'endure');
}

/** The files of one session directory. */
export interface SessionPaths {
  dir: string;
  journal: string;
  blobs: string;
  lock: string;
  summary: string;
}

export function sessionsDir(home: string): string {
  return join(home, 'sessions');
}

export function sessionPaths(home: string, id: string): SessionPaths {
  return sessionPathsUnder(sessionsDir(home), id);
}

/** The files of session `id` in `root` (the sessions directory, or a session's `agents/` for its children). */
export function sessionPathsUnder(root: string, id: string): SessionPaths {
  assertSessionId(id);
  const dir = join(root, id);
  return {
    dir,
    journal: join(dir, 'journal.jsonl'),
    blobs: join(dir, 'blobs'),
    lock: join(dir, 'lock'),
    summary: join(dir, 'summary.json'),
  };
}

const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `text` can name a session directory (no separators, no `..`). */
export function isSessionId(text: string): boolean {
  return ID_SHAPE.test(text) && !text.includes('..');
}

export function assertSessionId(text: string): void {
  if (!isSessionId(text)) {
    throw new JournalError(
      'bad_session_id',
      `"${text}" is not a session id; use an id from 'endure sessions list' or 'last'`,
    );
  }
}

/** A new session id for `now`: sortable by time (to the millisecond), unique by its random suffix. */
export function newSessionId(now: number = Date.now(), random: () => Buffer = () => randomBytes(3)): string {
  const iso = new Date(now).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}-${iso.slice(20, 23)}`;
  return `${stamp}-${random().toString('hex')}`;
}
