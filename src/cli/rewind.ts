/**
 * Rewind: the files go back to a turn's checkpoint and a `rewind` record makes
 * the conversation go on from the end of that turn. Files changed outside the
 * session since it last wrote or restored them are never overwritten silently:
 * the rewind refuses naming them, or with `force` saves them first under
 * `<session>/rewind-backup/`.
 *
 * Crash safety: the target is written to `rewind-pending.json` before any file
 * changes, and removed after the record is in the journal. A rewind cut off in
 * between (kill -9) is completed by the next rewind or resume of the session:
 * the workspace it left was half one tree and half the other, both in the store.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointStore, type FileChange } from '../../sessions/checkpoints.js';
import { lastTree, turnPoint, turnsOf } from '../../sessions/history.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { Session } from '../../sessions/session.js';
import { ConfigError } from '../shared/errors.js';
import { pauseForTest } from '../shared/test-pause.js';

export interface RewindOutcome {
  sessionId: string;
  toTurn: number;
  restored: string[];
  removed: string[];
  /** Where files changed outside the session were saved (with --force). */
  backup?: string;
  /** A rewind that an earlier, interrupted command had started and this one completed. */
  completed?: number;
}

interface Pending {
  toTurn: number;
  throughSeq: number;
  tree: string;
  /** The workspace before the rewind began. */
  from: string;
}

/** Why a turn has no checkpoint, for messages. */
export const NO_CHECKPOINT_WHY = 'one is taken at the end of each turn that may change files, and an endure older than checkpoints took none';

/** How many changed files an error names before "and N more". */
const NAMED = 10;

export function storeOf(session: Session): CheckpointStore {
  const start = session.start;
  if (!existsSync(start.workspace)) throw new ConfigError('no_workspace', `the session's workspace ${start.workspace} no longer exists, so its files cannot be restored`);
  return new CheckpointStore(session.paths.dir, start.workspace);
}

function pendingPath(session: Session): string {
  return join(session.paths.dir, 'rewind-pending.json');
}

/**
 * Completes a rewind that a killed command left half done: the files are brought
 * to its target and its record appended (unless it already was). Returns the
 * record it appended, if any, and the turn; undefined when nothing was pending.
 */
export async function completePendingRewind(
  session: Session,
  store = storeOf(session),
  last: JournalRecord | undefined = session.lastRecord,
): Promise<{ toTurn: number; appended?: JournalRecord } | undefined> {
  const path = pendingPath(session);
  if (!existsSync(path)) return undefined;
  const pending = JSON.parse(readFileSync(path, 'utf8')) as Pending;
  let appended: JournalRecord | undefined;
  // Killed after the record was written: only the marker is left.
  if (!(last?.kind === 'rewind' && last.tree === pending.tree && last.throughSeq === pending.throughSeq)) {
    const current = await store.snapshot();
    await store.restore(current, pending.tree);
    appended = session.append({ kind: 'rewind', toTurn: pending.toTurn, throughSeq: pending.throughSeq, tree: pending.tree });
    session.sync('side_effect');
  }
  rmSync(path, { force: true });
  return { toTurn: pending.toTurn, ...(appended ? { appended } : {}) };
}

/** The one-line error for a turn that cannot be rewound to, with the valid range. */
function badTurn(session: Session, records: readonly JournalRecord[], to: number): ConfigError {
  const turns = turnsOf(records).filter((turn) => turn.tree !== undefined).map((turn) => turn.turn);
  if (turns.length === 0) return new ConfigError('bad_turn', `session ${session.id} has no checkpoint (${NO_CHECKPOINT_WHY}), so there is nothing to rewind to`);
  const range = `${Math.min(...turns)}-${Math.max(...turns)}`;
  return new ConfigError('bad_turn', `--to ${to}: no checkpoint at turn ${to} of session ${session.id}; valid turns: ${range}`);
}

export interface RewindOptions {
  /** Save files changed outside the session under `<session>/rewind-backup/` and go on (else refuse naming them). */
  force?: boolean;
  now?: () => Date;
  /** The journal's records now. @default the session's history, read again */
  records?: readonly JournalRecord[];
}

/** Files changed outside the session since it last wrote or restored them (its latest checkpoint or rewind), given a snapshot just taken. */
function outsideChanges(store: CheckpointStore, records: readonly JournalRecord[], current: string): Promise<FileChange[]> {
  const known = lastTree(records);
  return known ? store.changes(known, current) : Promise.resolve([]);
}

/** What a rewind would refuse to overwrite now (the UI asks about them before it rewinds). */
export async function changedOutside(session: Session, records: readonly JournalRecord[] = [...session.history()]): Promise<FileChange[]> {
  const store = storeOf(session);
  return outsideChanges(store, records, await store.snapshot());
}

export async function rewind(session: Session, to: number, options: RewindOptions = {}): Promise<RewindOutcome> {
  const store = storeOf(session);
  const known = options.records ?? [...session.history()];
  const completed = await completePendingRewind(session, store, known.at(-1));
  const records = completed?.appended ? [...known, completed.appended] : known;
  const point = turnPoint(records, to);
  if (!point?.tree) throw badTurn(session, records, to);

  const current = await store.snapshot();
  const outside = await outsideChanges(store, records, current);
  let backup: string | undefined;
  if (outside.length > 0) {
    if (!options.force) {
      const names = outside.slice(0, NAMED).map((change) => change.path).join(', ');
      const more = outside.length > NAMED ? ` and ${outside.length - NAMED} more` : '';
      throw new ConfigError(
        'changed_outside',
        `files changed outside the session since its last checkpoint: ${names}${more}; rerun with --force to save them under ${join(session.paths.dir, 'rewind-backup')} and rewind`,
      );
    }
    backup = saveBackup(store.workspace, join(session.paths.dir, 'rewind-backup', stamp(options.now?.() ?? new Date())), outside, current);
  }

  const changes = await store.changes(current, point.tree);
  const pending: Pending = { toTurn: to, throughSeq: point.throughSeq, tree: point.tree, from: current };
  writeFileSync(pendingPath(session), JSON.stringify(pending));
  await pauseForTest('rewind-before-restore');
  await store.restore(current, point.tree);
  await pauseForTest('rewind-after-restore');
  session.append({ kind: 'rewind', toTurn: to, throughSeq: point.throughSeq, tree: point.tree });
  session.sync('side_effect');
  rmSync(pendingPath(session), { force: true });
  return {
    sessionId: session.id,
    toTurn: to,
    restored: changes.filter((change) => change.status !== 'D').map((change) => change.path),
    removed: changes.filter((change) => change.status === 'D').map((change) => change.path),
    ...(backup ? { backup } : {}),
    ...(completed ? { completed: completed.toTurn } : {}),
  };
}

/** Copies the files changed outside the session (as they are now) into `dir`; the tree of the whole workspace is named too. */
function saveBackup(workspace: string, dir: string, changes: readonly FileChange[], tree: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const change of changes) {
    if (change.status === 'D') continue;
    const from = join(workspace, change.path);
    if (!existsSync(from) || !lstatSync(from).isFile()) continue;
    const to = join(dir, change.path);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  writeFileSync(join(dir, 'WORKSPACE-TREE'), `${tree}\n(the whole workspace before the rewind, in ${join(dir, '..', '..', 'checkpoints.git')})\n`);
  return dir;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
