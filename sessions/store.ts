/**
 * The sessions under one home: create, open (by id, unique id prefix, or
 * `last`), read without writing, list, and remove. Opening takes the lock
 * first, then reads and verifies the journal, cuts a torn tail off and
 * reports it. Listing is cheap: each session's summary.json is brought up to
 * date by reading only the journal lines written after it (summary.ts), and
 * `last` is the session whose journal was modified most recently (one stat
 * per session).
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, JournalError } from '../src/shared/errors.js';
import { BlobStore } from './blobs.js';
import { fsyncPath } from './fsync-path.js';
import { isSessionId, newSessionId, sessionPathsUnder, sessionsDir, type SessionPaths } from './home.js';
import { drain, type TornTail } from './journal-reader.js';
import { JournalWriter, type FsyncPolicy } from './journal-writer.js';
import { historyRecords, readHistory, type StartRecord } from './lineage.js';
import { acquireLock } from './lock.js';
import type { JournalRecord, RecordBody } from './records.js';
import { Redactor } from './redactor.js';
import { Session } from './session.js';
import { infoOf, type SessionInfo } from './session-info.js';
import { emptySummary, foldSummary } from './summary.js';

export type SessionStart = Omit<Extract<RecordBody, { kind: 'session_start' }>, 'kind' | 'sessionId'>;

export interface SessionStoreOptions {
  /** The endure home (see home.ts resolveHome). */
  home: string;
  /** @default 'turn' (see journal-writer.ts) */
  fsync?: FsyncPolicy;
  /** Secrets kept out of journals, blobs and summaries. @default no secrets */
  redactor?: Redactor;
  /** Source of record times and new ids. @default Date.now */
  clock?: () => number;
  /** The directory that holds the session directories. @default <home>/sessions */
  root?: string;
}

export type { SessionInfo } from './session-info.js';

/**
 * A journal read without taking the lock (for show and export): nothing is cut.
 * On a live session the last line may still be being written and show as torn.
 */
export interface SessionContents {
  id: string;
  paths: SessionPaths;
  /** The session's history: for a fork, its parent's records through the fork point first. */
  records: JournalRecord[];
  /** For a fork: the sessions its first records came from, nearest first. */
  ancestors: string[];
  torn?: TornTail;
}

export class SessionStore {
  readonly home: string;
  /** The directory that holds the session directories. */
  readonly root: string;
  private readonly redactor: Redactor;
  private readonly clock: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.home = options.home;
    this.root = options.root ?? sessionsDir(options.home);
    this.redactor = options.redactor ?? new Redactor();
    this.clock = options.clock ?? Date.now;
  }

  /** Creates a session and writes its session_start record. */
  create(start: SessionStart, id?: string): Session {
    const root = this.root;
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new JournalError('session_unwritable', `cannot create ${root}: ${(error as Error).message}; set ENDURE_HOME to a writable directory`, { cause: error });
    }
    const { sessionId, paths } = this.makeDir(id);
    mkdirSync(paths.blobs, { mode: 0o700 });
    const lock = acquireLock(paths.lock, { what: `session ${sessionId}` });
    try {
      const journal = JournalWriter.create(paths.journal, sessionId, this.writerOptions(paths));
      const first = journal.append({ kind: 'session_start', sessionId, ...start });
      journal.sync();
      if (this.options.fsync !== 'never') for (const dir of [paths.dir, root]) fsyncPath(dir);
      return new Session(sessionId, paths, journal, this.blobStore(paths), first as StartRecord, first, undefined, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Opens a session for writing (resume): locks it, verifies its journal, cuts a
   * torn tail off. The history is read once, a record at a time: each goes to
   * `visit` (resume folds the conversation from it) and none is kept.
   */
  open(ref: string, visit?: (record: JournalRecord) => void): Session {
    const id = this.resolve(ref);
    const paths = sessionPathsUnder(this.root, id);
    const lock = acquireLock(paths.lock, { what: `session ${id}` });
    try {
      removeLeftovers(paths);
      // A fork's history begins with its parent's first turns (lineage.ts); the summary folds them too.
      const summary = emptySummary(id);
      let start: JournalRecord | undefined;
      let last: JournalRecord | undefined;
      const { own, ancestors } = drain(historyRecords(this.root, paths.journal), (record) => {
        start ??= record;
        last = record;
        foldSummary(summary, record);
        visit?.(record);
      });
      if (start?.kind !== 'session_start' || !last) throw new JournalError('bad_journal', `the journal ${paths.journal} does not start with session_start; it is not a session endure can resume`);
      const journal = JournalWriter.open(paths.journal, id, own, summary, this.writerOptions(paths));
      return new Session(id, paths, journal, this.blobStore(paths, ancestors), start, last, own.torn, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Reads a session's history (a fork's parent prefix included) without locking or changing it. */
  read(ref: string): SessionContents {
    const id = this.resolve(ref);
    const paths = sessionPathsUnder(this.root, id);
    const { records, ancestors, own } = readHistory(this.root, paths.journal);
    return { id, paths, records, ancestors, ...(own.torn ? { torn: own.torn } : {}) };
  }

  /**
   * The store of a session's children (subagents): `<session>/agents/`, with
   * the same writer rules, lock and blobs as any session.
   */
  agentsOf(session: { paths: SessionPaths }): SessionStore {
    return new SessionStore({ ...this.options, redactor: this.redactor, root: join(session.paths.dir, 'agents') });
  }

  /** Every session, most recent activity first. */
  list(): SessionInfo[] {
    return this.ids()
      .map((id) => infoOf(this.root, id))
      .sort((a, b) => b.lastActivity - a.lastActivity || (a.id < b.id ? 1 : -1));
  }

  /** One session's row of `sessions list`. */
  info(ref: string): SessionInfo {
    return infoOf(this.root, this.resolve(ref));
  }

  /**
   * Removes a session directory. Refuses a session another process holds.
   * `beforeRemove` runs first, under the lock (e.g. to remove the session's
   * git worktree); if it throws, nothing is removed.
   */
  async remove(ref: string, beforeRemove?: (info: SessionInfo) => void | Promise<void>): Promise<SessionInfo> {
    const id = this.resolve(ref);
    const paths = sessionPathsUnder(this.root, id);
    const lock = acquireLock(paths.lock, { what: `session ${id}` });
    try {
      const info = infoOf(this.root, id);
      await beforeRemove?.(info);
      rmSync(paths.dir, { recursive: true, force: true });
      return info;
    } finally {
      lock.release();
    }
  }

  /** The id that `ref` names: an id, a unique prefix of one, or `last` (most recently active). A ref that names none is a usage error (exit 2). */
  resolve(ref: string): string {
    const ids = this.ids();
    if (ref === 'last') {
      if (ids.length === 0) throw new ConfigError('no_sessions', `there are no sessions in ${this.root} yet; start one with 'endure exec <task>'`);
      return lastActive(this.root, ids);
    }
    if (!isSessionId(ref)) throw new ConfigError('bad_session_id', `"${ref}" is not a session id; use an id from 'endure sessions list' or 'last'`);
    if (ids.includes(ref)) return ref;
    const matches = ids.filter((id) => id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new ConfigError('ambiguous_session', `"${ref}" matches ${matches.length} sessions; give more of the id (see 'endure sessions list')`);
    }
    throw new ConfigError('session_not_found', `no session "${ref}" in ${this.root}; see 'endure sessions list'`);
  }

  private ids(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter(isSessionId).sort();
  }

  private makeDir(id?: string): { sessionId: string; paths: SessionPaths } {
    for (let attempt = 0; ; attempt++) {
      const sessionId = id ?? newSessionId(this.clock());
      const paths = sessionPathsUnder(this.root, sessionId);
      try {
        mkdirSync(paths.dir, { mode: 0o700 });
        return { sessionId, paths };
      } catch (error) {
        const taken = (error as NodeJS.ErrnoException).code === 'EEXIST';
        if (!taken || id !== undefined || attempt > 5) {
          throw new JournalError(
            taken ? 'session_exists' : 'session_unwritable',
            taken ? `a session ${sessionId} already exists; choose another id` : `cannot create ${paths.dir}: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    }
  }

  private writerOptions(paths: SessionPaths) {
    return {
      fsync: this.options.fsync ?? 'turn',
      redactor: this.redactor,
      clock: this.clock,
      summaryPath: paths.summary,
    };
  }

  /** A fork reads the blobs of the records it inherited from its ancestors' stores (never copied). */
  private blobStore(paths: SessionPaths, ancestors: readonly string[] = []): BlobStore {
    const readAlso = ancestors.map((id) => sessionPathsUnder(this.root, id).blobs);
    return new BlobStore(paths.blobs, { redactor: this.redactor, durable: this.options.fsync !== 'never', readAlso });
  }
}


/** Temp files of a writer that died mid-write (we hold the lock, so no live writer owns them). */
function removeLeftovers(paths: SessionPaths): void {
  for (const dir of [paths.dir, paths.blobs]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  }
}

function lastActive(root: string, ids: string[]): string {
  let best = ids[0]!;
  let bestTime = -Infinity;
  for (const id of ids) {
    const time = modifiedAt(sessionPathsUnder(root, id).journal);
    if (time > bestTime || (time === bestTime && id > best)) {
      best = id;
      bestTime = time;
    }
  }
  return best;
}

function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
