/**
 * An open session: the one process allowed to write it holds its lock, its
 * journal writer and its blob store. It is what the agent loop writes to
 * (`append`, `sync`, `putBlob`, `readBlob` match src/agent's SessionSink).
 * Its records are not held: the session was folded as its journal was read
 * (store.ts `open`), and `history()` reads them again for the few commands that
 * need them all (rewind, a run that failed before its fold). `close()` syncs,
 * closes the journal and releases the lock.
 */
import { dirname } from 'node:path';
import type { BlobPage, BlobStore } from './blobs.js';
import type { TornTail } from './journal-reader.js';
import type { JournalWriter } from './journal-writer.js';
import { historyRecords, type StartRecord } from './lineage.js';
import type { Lock } from './lock.js';
import type { SessionPaths } from './home.js';
import type { BlobRef, JournalRecord, RecordBody } from './records.js';

export class Session {
  constructor(
    readonly id: string,
    readonly paths: SessionPaths,
    readonly journal: JournalWriter,
    readonly blobs: BlobStore,
    /** The history's first record (a fork's is its parent's made its own, see lineage.ts). */
    readonly start: StartRecord,
    /** The last record in the journal when it was opened (for a new session: its session_start). */
    readonly lastRecord: JournalRecord,
    /** The damaged last line that was cut off when the journal was opened, if any: report it on stderr. */
    readonly torn: TornTail | undefined,
    private readonly lock: Lock,
  ) {}

  /**
   * The session's history as its journal holds it now (a fork's parent prefix
   * first), read again, one record at a time, each time it is iterated.
   */
  history(): Iterable<JournalRecord> {
    const root = dirname(this.paths.dir);
    const journal = this.paths.journal;
    return { [Symbol.iterator]: () => historyRecords(root, journal) };
  }

  /** Appends a record; it is in the file when this returns. Returns it as written (fold this one). */
  append(body: RecordBody): JournalRecord {
    return this.journal.append(body);
  }

  /**
   * Makes what was appended durable per the fsync policy, and saves the summary:
   * before a side effect at once; at the end of a turn in the background (the
   * next side effect's sync covers it; see journal-writer.ts).
   */
  sync(reason: 'turn' | 'side_effect' | 'end' = 'turn'): void {
    if (reason === 'turn') this.journal.syncSoon();
    else this.journal.sync();
  }

  putBlob(content: string): BlobRef {
    return this.blobs.put(content);
  }

  /** `length` bytes of a blob from byte `offset`, on character boundaries; undefined when there is no such blob. */
  readBlob(id: string, offset: number, length: number): BlobPage | undefined {
    return this.blobs.read(id, offset, length);
  }

  close(): void {
    try {
      this.journal.close();
    } finally {
      this.lock.release();
    }
  }
}
