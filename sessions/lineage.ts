/**
 * A fork's history. A fork's journal starts with a `fork` record naming its
 * parent and the parent's record it goes on from; the records before that are
 * read from the parent's journal (lock-free, only complete lines, nothing past
 * the fork point), never copied. The parent may itself be a fork, so this
 * recurses: the history of any session is one list of records with seqs 1, 2,
 * 3... that every reader folds as if one journal held it all.
 *
 * The history's first record is the root's `session_start` made the fork's
 * own: its id, its workspace (the parent's, or its own worktree), and `forkOf`.
 * Readers that take a session's start from its first record see the fork.
 */
import { JournalError } from '../src/shared/errors.js';
import { sessionPathsUnder } from './home.js';
import { readJournal } from './journal-reader.js';
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

/** The fork record that opens a journal, if it is a fork's. */
export function forkRecordOf(own: readonly JournalRecord[]): ForkRecord | undefined {
  const first = own[0];
  return first?.kind === 'fork' ? first : undefined;
}

/** The whole history of a session whose own journal (in sessions directory `root`) holds `own`. */
export function historyOf(root: string, own: JournalRecord[], depth = 0): History {
  const fork = forkRecordOf(own);
  if (!fork) return { records: own, ancestors: [] };
  const parent = inheritedBy(root, fork, depth);
  return { records: [...parent.records, ...own], ancestors: parent.ancestors };
}

/** The records a fork inherits: its parent's history through `fork.throughSeq`, the first one made the fork's start. */
function inheritedBy(root: string, fork: ForkRecord, depth: number): History {
  if (depth >= MAX_DEPTH) throw new JournalError('fork_too_deep', `session ${fork.sessionId} has more than ${MAX_DEPTH} forks above it (a loop of parents?); it cannot be read`);
  const journal = sessionPathsUnder(root, fork.parent).journal;
  let own: JournalRecord[];
  try {
    own = readJournal(journal, undefined, fork.throughSeq).records;
  } catch (error) {
    if (error instanceof JournalError && error.code === 'journal_missing') {
      throw new JournalError('fork_parent_missing', `session ${fork.sessionId} is a fork of ${fork.parent}, whose journal ${journal} is gone; the fork's first turns were that journal's`, { cause: error });
    }
    throw error;
  }
  const parent = historyOf(root, own, depth + 1);
  // The fork point may lie in what the parent itself inherited (a fork at a turn before the parent's own).
  const end = parent.records.findLastIndex((record) => record.seq <= fork.throughSeq);
  const records = parent.records.slice(0, end + 1);
  if (records.at(-1)?.seq !== fork.throughSeq) {
    throw new JournalError('fork_parent_short', `the journal of ${fork.parent} ends before record ${fork.throughSeq}, where its fork ${fork.sessionId} goes on from`);
  }
  const start = records[0];
  if (start?.kind !== 'session_start') throw new JournalError('bad_journal', `the history of ${fork.parent} does not start with session_start`);
  records[0] = forkStart(start, fork);
  return { records, ancestors: [fork.parent, ...parent.ancestors] };
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
