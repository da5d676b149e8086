/**
 * Fork: a new session that goes on from the end of a turn of another. Nothing
 * of the parent is copied or changed: the fork's journal opens with a `fork`
 * record that names the parent's prefix (sessions/lineage.ts), its blobs are
 * read through to the parent's, and its checkpoint store borrows the parent's
 * objects (git alternates). The fork works in the parent's workspace as it is
 * now (told when it differs from the turn's checkpoint; nothing is overwritten)
 * or, with `worktree`, in a git worktree of its own holding the turn's files.
 *
 * Crash safety: the fork is built in `<sessions>/.fork-<id>.<pid>.tmp/` (a name
 * no session id can have), made durable, then renamed into place: a kill -9
 * leaves no half session. What a killed fork left (the staging directory and
 * its worktree) is removed by the next fork, and named by `sessions list`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorktree, removeWorktree } from '../../sandboxes/worktree.js';
import { CheckpointStore } from '../../sessions/checkpoints.js';
import { fsyncPath } from '../../sessions/fsync-path.js';
import { lineOf, turnEndIndex, turnPoint, type TurnPoint } from '../../sessions/history.js';
import { newSessionId, resolveHome, sessionPathsUnder } from '../../sessions/home.js';
import { JournalWriter } from '../../sessions/journal-writer.js';
import { forkStart, type ForkRecord, type StartRecord } from '../../sessions/lineage.js';
import { acquireLock, isAlive, readLockOwner } from '../../sessions/lock.js';
import type { JournalRecord } from '../../sessions/records.js';
import { SessionStore, type SessionContents } from '../../sessions/store.js';
import { ConfigError, SandboxError, oneLine } from '../shared/errors.js';
import { pauseForTest } from '../shared/test-pause.js';
import { NO_CHECKPOINT_WHY } from './rewind.js';

export interface ForkOptions {
  /** The turn to go on from. @default the parent's last finished turn (of its current line, after a rewind) */
  at?: number;
  /** How `at` was given, for the messages about it (`turn 9` in the UI's /fork). @default `--at <at>` */
  atGivenAs?: string;
  /** A git worktree of its own for the fork, holding the files of turn `at`'s checkpoint. @default false: the parent's workspace as it is */
  worktree?: boolean;
  /** The endure home. @default resolveHome(process.env) */
  home?: string;
  /** Told what the user should know: the shared workspace differs from the turn's checkpoint, leftovers removed. @default ignored */
  warn?: (message: string) => void;
}

export interface ForkResult {
  sessionId: string;
  parent: string;
  atTurn: number;
  /** Where the fork works. */
  workspace: string;
  /** Files of the shared workspace that differ from the turn's checkpoint (left as they are). */
  differs?: string[];
}

/** What a staging directory says about itself, for the cleanup of a killed fork. */
interface Staging {
  id: string;
  repo?: string;
  worktree?: string;
}

const STAGING = /^\.fork-(.+)\.\d+\.tmp$/;
const STAGING_LOCK = 'forking.lock';
const STAGING_NOTE = 'fork-pending.json';
/** How many differing files a warning names before "and N more". */
const NAMED = 10;

/** Forks session `parentRef` (an id, unique prefix or `last`); see the top of this file. */
export async function forkSession(parentRef: string, options: ForkOptions = {}): Promise<ForkResult> {
  const warn = options.warn ?? (() => undefined);
  const home = options.home ?? resolveHome(process.env);
  const store = new SessionStore({ home });
  const parent = store.read(parentRef);
  await removeUnfinishedForks(store.root, warn);
  const live = isLive(store.root, parent.id);
  const point = forkPoint(parent, options.at, live, options.atGivenAs);
  const start = parent.records[0] as StartRecord;

  const id = newSessionId();
  const stage = join(store.root, `.fork-${id}.${process.pid}.tmp`);
  mkdirSync(stage, { mode: 0o700 });
  const lock = acquireLock(join(stage, STAGING_LOCK), { what: `the fork ${id}` });
  try {
    mkdirSync(join(stage, 'blobs'), { mode: 0o700 });
    const checkpoints = new CheckpointStore(stage, start.workspace);
    await checkpoints.borrow([parent.id, ...parent.ancestors].map((ancestor) => join(store.root, ancestor, 'checkpoints.git')));
    let workspace = start.workspace;
    let worktree: ForkRecord['worktree'];
    let differs: string[] | undefined;
    if (options.worktree) {
      const made = await ownWorktree(stage, home, id, start, point, warn);
      workspace = made.path;
      worktree = { base: made.base, branch: made.branch };
    } else {
      if (live) warn(`session ${parent.id} is running in ${start.workspace}, where the fork works too: both may change the same files (fork with --worktree to keep them apart)`);
      differs = await compareWorkspace(checkpoints, join(store.root, parent.id, 'checkpoints.git'), point, parent.id, id, warn);
    }
    const fork: Omit<ForkRecord, 'seq' | 't'> = {
      kind: 'fork',
      sessionId: id,
      parent: parent.id,
      atTurn: point.turn,
      throughSeq: point.throughSeq,
      ...(point.tree ? { tree: point.tree } : {}),
      workspace,
      ...(worktree ? { worktree } : {}),
    };
    writeJournal(stage, id, fork, inherited(parent.records, point, fork));
    await pauseForTest('fork-before-rename');
    syncTree(stage);
    renameSync(stage, join(store.root, id));
    fsyncPath(store.root);
    const dir = join(store.root, id);
    rmSync(join(dir, STAGING_LOCK), { force: true });
    rmSync(join(dir, STAGING_NOTE), { force: true });
    return { sessionId: id, parent: parent.id, atTurn: point.turn, workspace, ...(differs?.length ? { differs } : {}) };
  } catch (error) {
    await removeStaging(stage).catch(() => undefined);
    throw error;
  } finally {
    lock.release();
  }
}

function isLive(root: string, id: string): boolean {
  const holder = readLockOwner(sessionPathsUnder(root, id).lock);
  return holder !== undefined && isAlive(holder);
}

/**
 * The end of the turn to fork at. A live parent's last turn may still be running
 * (its calls' results and checkpoint not all written): it counts as finished there
 * once its checkpoint, the last thing a turn writes, is in, or a record of the next
 * step follows it, so a fork never tears one.
 */
export function forkPoint(parent: Pick<SessionContents, 'id' | 'records'>, at: number | undefined, live: boolean, atGivenAs = `--at ${at}`): TurnPoint {
  const { records } = parent;
  const last = records.reduce((highest, record) => (record.kind === 'assistant' ? Math.max(highest, record.turn) : highest), 0);
  if (last === 0) throw new ConfigError('no_turns', `session ${parent.id} has no turn yet, so there is nothing to fork`);
  const running = (turn: number) => live && turnEndIndex(records, turn) === records.length - 1 && records.at(-1)?.kind !== 'checkpoint';
  if (at === undefined) {
    // The current line's last turn (after a rewind, the one it went back to), or the one before while it runs.
    const line = lineOf(records).filter((record) => record.kind === 'assistant');
    const finished = line.findLast((record) => !running(record.turn));
    if (!finished) throw new ConfigError('no_turns', `session ${parent.id} has no finished turn yet; fork it once its first turn ends`);
    at = finished.turn;
  } else {
    if (!Number.isInteger(at) || at < 1 || at > last || turnEndIndex(records, at) === -1) {
      throw new ConfigError('bad_turn', `${atGivenAs}: session ${parent.id} has turns 1-${last}; give one of them`);
    }
    if (running(at)) throw new ConfigError('turn_running', `${atGivenAs}: turn ${at} of session ${parent.id} is still running; fork at ${at > 1 ? `1-${at - 1}` : 'it'} once it has finished`);
  }
  return turnPoint(records, at)!;
}

/** The parent's records through the fork point, the first made the fork's start. */
function inherited(records: readonly JournalRecord[], point: TurnPoint, fork: Omit<ForkRecord, 'seq' | 't'>): JournalRecord[] {
  const prefix = records.filter((record) => record.seq <= point.throughSeq);
  prefix[0] = forkStart(prefix[0] as StartRecord, { ...fork, seq: point.throughSeq + 1, t: 0 });
  return prefix;
}

/** The fork's journal (its fork record) and summary, durable when this returns. */
function writeJournal(stage: string, id: string, fork: Omit<ForkRecord, 'seq' | 't'>, inherits: JournalRecord[]): void {
  const writer = JournalWriter.create(join(stage, 'journal.jsonl'), id, { fsync: 'turn', summaryPath: join(stage, 'summary.json') }, inherits);
  try {
    writer.append(fork);
  } finally {
    writer.close();
  }
}

/**
 * In the parent's workspace: when its files are not those of the turn's
 * checkpoint, the fork goes on with them as they are, and says so.
 */
async function compareWorkspace(checkpoints: CheckpointStore, parentStore: string, point: TurnPoint, parent: string, id: string, warn: (message: string) => void): Promise<string[] | undefined> {
  if (!point.tree || !existsSync(checkpoints.workspace)) return undefined;
  warmIndex(join(parentStore, 'endure-index'), checkpoints.indexFile);
  const current = await checkpoints.snapshot();
  if (current === point.tree) return undefined;
  const paths = (await checkpoints.changes(point.tree, current)).map((change) => change.path);
  const more = paths.length > NAMED ? ` and ${paths.length - NAMED} more` : '';
  warn(
    `the workspace ${checkpoints.workspace} differs from turn ${point.turn}'s checkpoint in ${paths.length} files (${paths.slice(0, NAMED).join(', ')}${more}), ` +
      `changed by session ${parent} or by hand since; the fork goes on with the files as they are (to start from turn ${point.turn}'s files: endure sessions rewind ${id} --to ${point.turn} --force, or fork with --worktree)`,
  );
  return paths;
}

/**
 * The parent's private index as the fork's first stat cache, so comparing the
 * shared workspace costs a stat per file. Its mtime is kept: git's check for
 * files changed in the same second as the index was written depends on it.
 * Any index is safe here: `add --all` brings it to the files.
 */
function warmIndex(from: string, to: string): void {
  try {
    const stat = statSync(from);
    copyFileSync(from, to);
    utimesSync(to, stat.atime, stat.mtime);
  } catch {
    // No index yet (or unreadable): the first snapshot hashes every file.
  }
}

/** The fork's own git worktree (branch `endure/<id>`), holding the files of the turn's checkpoint. */
async function ownWorktree(stage: string, home: string, id: string, start: StartRecord, point: TurnPoint, warn: (message: string) => void) {
  if (!existsSync(start.cwd)) throw new ConfigError('no_worktree', `--worktree: the directory ${start.cwd} that session ${start.sessionId} started in no longer exists`);
  const path = join(home, 'worktrees', id);
  const note: Staging = { id, repo: start.cwd, worktree: path };
  writeFileSync(join(stage, STAGING_NOTE), JSON.stringify(note), { flush: true });
  const base = typeof start.settings.worktreeBase === 'string' ? start.settings.worktreeBase : (start.gitHead ?? 'HEAD');
  let made;
  try {
    made = await createWorktree({ repo: start.cwd, sessionId: id, path, base });
  } catch (error) {
    if (error instanceof SandboxError) throw new ConfigError('no_worktree', `--worktree: ${oneLine(error)}`);
    throw error;
  }
  // The session's checkpoints hold its workspace only: in a subdirectory, they cannot be the worktree's top.
  if (start.workspace === start.cwd && realpathSync(start.cwd) !== made.repoRoot) {
    throw new ConfigError(
      'no_worktree',
      `--worktree: session ${start.sessionId} worked in ${start.cwd}, a subdirectory of the repository ${made.repoRoot}, and its checkpoints hold that directory only; fork without --worktree, or run the session from ${made.repoRoot}`,
    );
  }
  await pauseForTest('fork-worktree');
  if (point.tree) {
    const checkpoints = new CheckpointStore(stage, made.path);
    await checkpoints.restore(await checkpoints.snapshot(), point.tree);
  } else {
    warn(`turn ${point.turn} has no checkpoint (${NO_CHECKPOINT_WHY}): the fork's worktree holds commit ${made.base.slice(0, 12)}`);
  }
  return made;
}

/** Removes a staging directory and the worktree it made, if any. */
async function removeStaging(stage: string): Promise<void> {
  let note: Staging | undefined;
  try {
    note = JSON.parse(readFileSync(join(stage, STAGING_NOTE), 'utf8')) as Staging;
  } catch {
    note = undefined;
  }
  if (note?.repo && note.worktree) await removeWorktree({ repo: note.repo, sessionId: note.id, path: note.worktree }).catch(() => undefined);
  rmSync(stage, { recursive: true, force: true });
}

/** Staging directories of forks whose process is gone (killed mid-fork), under sessions directory `root`. */
export function unfinishedForks(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => STAGING.test(name))
    .map((name) => join(root, name))
    .filter((dir) => {
      const owner = readLockOwner(join(dir, STAGING_LOCK));
      if (owner) return !isAlive(owner);
      // No lock yet: a fork that is just starting, unless it was left long ago.
      const stat = statSync(dir, { throwIfNoEntry: false });
      return stat !== undefined && Date.now() - stat.mtimeMs > 60_000;
    });
}

/** Removes what killed forks left (never a user's file: a fork's own worktree had no work yet). */
async function removeUnfinishedForks(root: string, warn: (message: string) => void): Promise<void> {
  for (const dir of unfinishedForks(root)) {
    await removeStaging(dir);
    warn(`removed an unfinished fork that was interrupted (${dir})`);
  }
}

/** Every file and directory under `dir` made durable (a fork's few files), before the rename publishes it. */
function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() || entry.isDirectory()) fsyncPath(join(entry.parentPath, entry.name));
  }
  fsyncPath(dir);
}

