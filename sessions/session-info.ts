/**
 * A session's row of `sessions list`, computed cheaply: the saved summary
 * (summary.ts) brought up to date with only the journal lines written after
 * it, and the lock read to tell a live session from a stopped one. A journal
 * that cannot be read in full still gets a row, with the problem named.
 */
import { JournalError } from '../src/shared/errors.js';
import { sessionPathsUnder, type SessionPaths } from './home.js';
import { drain, journalRecords, type JournalScan } from './journal-reader.js';
import { historyRecords, type HistoryScan } from './lineage.js';
import { isAlive, readLockOwner } from './lock.js';
import type { JournalRecord, SessionStatus } from './records.js';
import { emptySummary, foldSummary, readSummary, type SessionSummary } from './summary.js';

/** One row of `sessions list`. */
export interface SessionInfo extends SessionSummary {
  dir: string;
  /** The end status; `running` while a live process holds the lock; `interrupted` when it stopped without an end record (a crash). */
  status: SessionStatus;
  /** A live process holds the lock. */
  live: boolean;
  holderPid?: number;
  /** Why the journal could not be read in full (the rest of the row is what could be). */
  problem?: string;
}

/** The row for session `id` in the sessions directory `root` (the id must exist). */
export function infoOf(root: string, id: string): SessionInfo {
  const paths = sessionPathsUnder(root, id);
  const holder = readLockOwner(paths.lock);
  const live = holder !== undefined && isAlive(holder);
  let summary: SessionSummary;
  let problem: string | undefined;
  try {
    summary = currentSummary(root, paths, id);
  } catch (error) {
    problem = (error as Error).message;
    summary = readSummary(paths.summary) ?? emptySummary(id);
  }
  summary.id = id;
  return {
    ...summary,
    dir: paths.dir,
    status: summary.ended ?? (live ? 'running' : 'interrupted'),
    live,
    ...(live && holder ? { holderPid: holder.pid } : {}),
    ...(problem ? { problem } : {}),
  };
}

/** The saved summary, brought up to date with the journal lines after it (or rebuilt from the whole journal). */
function currentSummary(root: string, paths: SessionPaths, id: string): SessionSummary {
  const saved = readSummary(paths.summary);
  if (saved) {
    try {
      return foldInto(saved, journalRecords(paths.journal, { from: saved.through }));
    } catch (error) {
      if (!(error instanceof JournalError) || error.code !== 'journal_changed') throw error;
    }
  }
  // Rebuilt from the whole history: a fork's inherited turns count in its figures, as in its fold.
  return foldInto(emptySummary(id), historyRecords(root, paths.journal));
}

/** Folds the records into `summary`, and moves its mark to the end of the journal's records. */
function foldInto(summary: SessionSummary, records: Generator<JournalRecord, JournalScan | HistoryScan>): SessionSummary {
  const before = summary.through.lines;
  const end = drain(records, (record) => foldSummary(summary, record));
  const own = 'own' in end ? end.own : end;
  if (own.lines > before) summary.through = { offset: own.validBytes, seq: own.seq, lines: own.lines };
  return summary;
}
