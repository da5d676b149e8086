/**
 * An open session: the one process allowed to write it holds its lock, its
 * journal writer and its blob store. It is what the agent loop writes to
 * (`append`, `sync`, `putBlob`, `readBlob` match src/agent's SessionSink), and
 * `records` is what the journal held when it was opened, for the fold on
 * resume. `close()` syncs, closes the journal and releases the lock.
 */
import type { BlobPage, BlobStore } from './blobs.js';
import type { TornTail } from './journal-reader.js';
import type { JournalWriter } from './journal-writer.js';
import type { Lock } from './lock.js';
import type { SessionPaths } from './home.js';
import type { BlobRef, JournalRecord, RecordBody } from './records.js';

export class Session {
  constructor(
    readonly id: string,
    readonly paths: SessionPaths,
    readonly journal: JournalWriter,
    readonly blobs: BlobStore,
    /** The records in the journal when it was opened (for a new session: its session_start). */
    readonly records: readonly JournalRecord[],
    /** The damaged last line that was cut off when the journal was opened, if any: report it on stderr. */
    readonly torn: TornTail | undefined,
    private readonly lock: Lock,
  ) {}

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
