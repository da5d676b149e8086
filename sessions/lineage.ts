/**
 * A fork's history. A fork's journal starts with a `fork` record naming its
 * parent and the parent's record it goes on from; the records before that are
 * read from the parent's journal (lock-free, only complete lines, nothing past
 * the fork point), never copied. The parent may itself be a fork, so this
 * recurses: the history of any session is one stream of records with seqs 1,
 * 2, 3... that every reader folds as if one journal held it all.
 *
 * The history's first record is the root's `session_start` made the fork's
 * own: its id, its workspace (the parent's, or its own worktree), and `forkOf`.
 * Readers that take a session's start from its first record see the fork.
 */
import { JournalError } from '../src/shared/errors.js';
import { sessionPathsUnder } from './home.js';
import { drain, journalRecords, type JournalScan, type ScanOptions } from './journal-reader.js';
import type { JournalRecord } from './records.js';

export type ForkRecord = Extract<JournalRecord, { kind: 'fork' }>;
export type StartRecord = Extract<JournalRecord, { kind: 'session_start' }>;

/** Forks of forks deeper than this are refused (a loop of parents is a damaged home). */
const MAX_DEPTH = 100;

export interface History {
  /** The parent's records through the fork point (recursively), then the session's own. */
  records: JournalRecord[];
  /** The sessions whose records came first, nearest first (empty for a session that is not a fork). */
  ancestors: string[];
}

/** What a read of a session's history found: its own journal's boundaries and torn tail, and its ancestors. */
export interface HistoryScan {
  /** What the session's own journal held (its torn tail, where the next line goes). */
  own: JournalScan;
  /** The sessions whose records came first, nearest first (empty for a session that is not a fork). */
  ancestors: string[];
}

/** The whole history of the session whose journal (in sessions directory `root`) is `journal`, read into one list. */
export function readHistory(root: string, journal: string): History & { own: JournalScan } {
  const records: JournalRecord[] = [];
  const { own, ancestors } = drain(historyRecords(root, journal), (record) => records.push(record));
  return { records, ancestors, own };
}

/**
 * The history of the session whose journal is `journal`, one record at a time:
 * for a fork, its parent's records through the fork point first (read when the
 * fork record is reached), then its own. Returns what its own journal held.
 */
export function* historyRecords(root: string, journal: string, options: Omit<ScanOptions, 'from'> = {}, depth = 0): Generator<JournalRecord, HistoryScan> {
  let ancestors: string[] = [];
  const own = journalRecords(journal, options);
  try {
    for (let next = own.next(), first = true; ; next = own.next(), first = false) {
      if (next.done) return { own: next.value, ancestors };
      if (first && next.value.kind === 'fork') ancestors = yield* inheritedRecords(root, next.value, depth);
      yield next.value;
    }
  } finally {
    own.return(undefined as never);
  }
}

/** The records a fork inherits: its parent's history through `fork.throughSeq`, the first one made the fork's start. Returns the ancestors. */
function* inheritedRecords(root: string, fork: ForkRecord, depth: number): Generator<JournalRecord, string[]> {
  if (depth >= MAX_DEPTH) throw new JournalError('fork_too_deep', `session ${fork.sessionId} has more than ${MAX_DEPTH} forks above it (a loop of parents?); it cannot be read`);
  const journal = sessionPathsUnder(root, fork.parent).journal;
  const parent = historyRecords(root, journal, { through: fork.throughSeq }, depth + 1);
  let lastSeq: number | undefined;
  let ancestors: string[] = [];
  try {
    for (;;) {
      const next = parentNext(parent, fork, journal);
      if (next.done) {
        ancestors = next.value.ancestors;
        break;
      }
      // The fork point may lie in what the parent itself inherited (a fork at a turn before the parent's own).
      if (next.value.seq > fork.throughSeq) continue;
      let record = next.value;
      if (lastSeq === undefined) {
        if (record.kind !== 'session_start') throw new JournalError('bad_journal', `the history of ${fork.parent} does not start with session_start`);
        record = forkStart(record, fork);
      }
      lastSeq = record.seq;
      yield record;
    }
    if (lastSeq !== fork.throughSeq) {
      throw new JournalError('fork_parent_short', `the journal of ${fork.parent} ends before record ${fork.throughSeq}, where its fork ${fork.sessionId} goes on from`);
    }
    return [fork.parent, ...ancestors];
  } finally {
    parent.return(undefined as never);
  }
}

/** The parent's next record; its journal missing is named as the fork's parent's. */
function parentNext(parent: Generator<JournalRecord, HistoryScan>, fork: ForkRecord, journal: string): IteratorResult<JournalRecord, HistoryScan> {
  try {
    return parent.next();
  } catch (error) {
    if (error instanceof JournalError && error.code === 'journal_missing') {
      throw new JournalError('fork_parent_missing', `session ${fork.sessionId} is a fork of ${fork.parent}, whose journal ${journal} is gone; the fork's first turns were that journal's`, { cause: error });
    }
    throw error;
  }
}

/**
 * The parent's start as the fork's: the fork's id and workspace. A fork in its
 * parent's worktree names the worktree's owner, so a resume reopens that one
 * and removing the fork leaves it alone; a fork with its own worktree names its own.
 */
export function forkStart(parent: StartRecord, fork: ForkRecord): StartRecord {
  const settings = { ...parent.settings };
  if (fork.worktree) {
    settings.worktreeBase = fork.worktree.base;
    settings.worktreeBranch = fork.worktree.branch;
    delete settings.worktreeOwner;
  } else if (parent.workspace !== parent.cwd && settings.worktreeOwner === undefined) {
    settings.worktreeOwner = parent.sessionId;
  }
  return {
    ...parent,
    sessionId: fork.sessionId,
    workspace: fork.workspace,
    ...(fork.worktree ? { gitHead: fork.worktree.base } : {}),
    settings,
    forkOf: { parent: fork.parent, atTurn: fork.atTurn },
  };
}

/** The session whose git worktree a session works in (its own, unless a fork borrowed its parent's). */
export function worktreeOwner(start: StartRecord): string {
  const owner = start.settings.worktreeOwner;
  return typeof owner === 'string' ? owner : start.sessionId;
}
