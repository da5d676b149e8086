/**
 * What the loop needs of a session's storage: append a record (written to the
 * file before this returns), make it durable, and keep large outputs aside.
 * The CLI adapts the sessions/ journal and blob store to it.
 */
import type { BlobRef, JournalRecord, RecordBody } from '../../sessions/records.js';

export interface SessionSink {
  /** Appends a record; it is in the file (OS-buffered) when this returns. */
  append(body: RecordBody): JournalRecord;
  /**
   * Makes what was appended durable (fsync), per the journal's policy: at the end
   * of a turn it may finish in the background (the next side effect's or the end's
   * sync covers it); before a side effect and at the end of a run, before it returns.
   */
  sync(reason: 'turn' | 'side_effect' | 'end'): void;
  putBlob(content: string): BlobRef;
  /** Reads `length` bytes of a blob from byte `offset`; undefined when there is no such blob. */
  readBlob(id: string, offset: number, length: number): { text: string; totalBytes: number } | undefined;
}
