/**
 * Appends records to a session journal. Each `append` serializes one record
 * (secrets redacted), adds the envelope (seq 1, 2, ...; t in epoch ms) and a
 * CRC-32, and writes the line with one synchronous write on an fd opened for
 * appending: when `append` returns, the line is in the file (in the OS page
 * cache), so a record appended before a tool runs is there before the tool
 * starts, and a `kill -9` never loses it. The cost is O(size of the record);
 * the file is never read back or rewritten (opening cuts a torn tail off,
 * which only shortens the file to its verified prefix).
 *
 * Durability against power loss is the fsync policy:
 * - `turn` (default): `sync()` fsyncs; the loop calls it before a tool call
 *   with side effects and at the end of a run. At the end of a turn it calls
 *   `syncSoon()`: the fdatasync runs on libuv's thread pool while the next
 *   request goes out (1-2 ms a turn off the main thread). Nothing is lost by
 *   it: a turn whose tools all were read-only can be replayed, and the next
 *   side effect is preceded by `sync()`, which covers every line before it.
 * - `always`: every record is fsynced as it is written (slow; for paranoia).
 * - `never`: no fsync; the OS writes back when it will (fine for CI runs
 *   whose journal is an artifact; a power cut may lose the last seconds).
 *
 * The writer also keeps the session summary (summary.ts) up to date and
 * rewrites it on each `sync()` and at `close()`.
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  writeSync,
} from 'node:fs';
import { JournalError } from '../src/shared/errors.js';
import { encodeLine } from './journal-line.js';
import type { JournalScan } from './journal-reader.js';
import type { JournalRecord, RecordBody } from './records.js';
import { Redactor } from './redactor.js';
import { emptySummary, foldSummary, writeSummary, type SessionSummary } from './summary.js';

/** How often sync() also saves the summary; close() always does. */
const SUMMARY_INTERVAL_MS = 5_000;

export type FsyncPolicy = 'turn' | 'always' | 'never';

export interface JournalWriterOptions {
  /** When records reach the disk itself (see the top of this file). @default 'turn' */
  fsync?: FsyncPolicy;
  /** Secrets to keep out of the file. @default no secrets */
  redactor?: Redactor;
  /** Source of each record's `t`. @default Date.now */
  clock?: () => number;
  /** Where to keep the session summary; none is kept when unset. */
  summaryPath?: string;
}

export class JournalWriter {
  private fd: number | undefined;
  private seq: number;
  private offset: number;
  private lines: number;
  private broken: JournalError | undefined;
  private summarySavedAt = 0;
  /** A background fdatasync in flight (`syncSoon`), and whether lines were written after it started. */
  private background: Promise<void> | undefined;
  private dirtyAfterBackground = false;
  private readonly fsync: FsyncPolicy;
  private readonly redactor: Redactor;
  private readonly clock: () => number;

  private constructor(
    readonly path: string,
    fd: number,
    start: { seq: number; offset: number; lines: number },
    private readonly summary: SessionSummary,
    private readonly options: JournalWriterOptions,
  ) {
    this.fd = fd;
    this.seq = start.seq;
    this.offset = start.offset;
    this.lines = start.lines;
    this.fsync = options.fsync ?? 'turn';
    this.redactor = options.redactor ?? new Redactor();
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Starts a new, empty journal at `path` (refuses an existing file). A fork's
   * journal goes on after the records it `inherits` (its parent's, read through
   * sessions/lineage.ts): its seqs follow theirs and its summary counts them.
   */
  static create(path: string, id: string, options: JournalWriterOptions = {}, inherits: readonly JournalRecord[] = []): JournalWriter {
    const fd = openOrThrow(path, 'ax');
    const summary = emptySummary(id);
    for (const record of inherits) foldSummary(summary, record);
    return new JournalWriter(path, fd, { seq: inherits.at(-1)?.seq ?? 0, offset: 0, lines: 0 }, summary, options);
  }

  /**
   * Opens the journal at `path` for appending after `contents` (what a read of
   * it found): a torn tail is cut off and a missing final newline added.
   * `summary` is the summary folded from the history the read went through.
   */
  static open(path: string, id: string, contents: JournalScan, summary: SessionSummary, options: JournalWriterOptions = {}): JournalWriter {
    const fd = openOrThrow(path, 'a');
    try {
      const size = fstatSync(fd).size;
      if (size < contents.validBytes) {
        throw new JournalError('journal_changed', `the journal ${path} shrank while it was being opened; open the session again`);
      }
      if (size > contents.validBytes) {
        ftruncateSync(fd, contents.validBytes);
        fdatasyncSync(fd);
      }
      let offset = contents.validBytes;
      if (contents.missingNewline) offset += writeAll(fd, Buffer.from('\n'));
      summary.through = { offset, seq: contents.seq, lines: contents.lines };
      return new JournalWriter(path, fd, summary.through, summary, options);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The seq of the last record in the file (0 when empty). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.offset;
  }

  /** What `sessions list` will show, as of the last record appended. */
  get current(): Readonly<SessionSummary> {
    return this.summary;
  }

  /**
   * Writes one record and returns it as written (envelope added, secrets
   * redacted): fold this, not `body`, so the live state equals a replay.
   */
  append(body: RecordBody): JournalRecord {
    const fd = this.writable();
    const draft = { seq: this.seq + 1, t: this.clock(), ...body } as JournalRecord;
    const { value: record, json } = this.redactor.serialize(draft);
    try {
      this.offset += writeAll(fd, Buffer.from(encodeLine(json), 'utf8'));
      if (this.background) this.dirtyAfterBackground = true;
      if (this.fsync === 'always') fdatasyncSync(fd);
    } catch (error) {
      this.broken = asJournalError(error, this.path);
      throw this.broken;
    }
    this.seq = record.seq;
    this.lines++;
    foldSummary(this.summary, record);
    this.summary.through = { offset: this.offset, seq: this.seq, lines: this.lines };
    return record;
  }

  /** Makes every appended record durable per the policy, and saves the summary. */
  sync(): void {
    const fd = this.writable();
    if (this.fsync !== 'never') {
      try {
        fdatasyncSync(fd);
      } catch (error) {
        this.broken = asJournalError(error, this.path);
        throw this.broken;
      }
    }
    // The summary is a cache: `list` reads on from its offset, so a few seconds'
    // staleness costs nothing, while rewriting it every turn cost ~0.5 ms a turn.
    if (Date.now() - this.summarySavedAt >= SUMMARY_INTERVAL_MS) this.saveSummary();
  }

  /**
   * Starts making every appended record durable without waiting for it (the
   * `turn` policy; `always` already is, `never` never is). One fdatasync is in
   * flight at a time: lines written meanwhile get another when it ends. A
   * failure breaks the writer: the next append or sync throws it.
   */
  syncSoon(): void {
    const fd = this.writable();
    if (this.fsync !== 'turn') return this.sync();
    if (this.background) {
      this.dirtyAfterBackground = true;
      return;
    }
    this.dirtyAfterBackground = false;
    this.background = new Promise<void>((resolve) => {
      fdatasync(fd, (error) => {
        this.background = undefined;
        if (error && this.fd === fd) this.broken ??= asJournalError(error, this.path);
        else if (this.dirtyAfterBackground && this.fd === fd && !this.broken) this.syncSoon();
        resolve();
      });
    });
    if (Date.now() - this.summarySavedAt >= SUMMARY_INTERVAL_MS) this.saveSummary();
  }

  /** Resolves when no background fdatasync is in flight (tests; a failure shows at the next append or sync). */
  async settled(): Promise<void> {
    while (this.background) await this.background;
  }

  /** Syncs and closes the file. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      if (!this.broken) {
        this.sync();
        this.saveSummary();
      }
    } finally {
      this.fd = undefined;
      // A background fdatasync still holds the descriptor: it is closed when that ends, never under it.
      if (this.background) void this.background.then(() => closeSync(fd));
      else closeSync(fd);
    }
  }

  private saveSummary(): void {
    this.summarySavedAt = Date.now();
    if (this.options.summaryPath) writeSummary(this.options.summaryPath, this.summary, this.redactor);
  }

  private writable(): number {
    if (this.broken) throw this.broken;
    if (this.fd === undefined) throw new JournalError('journal_closed', `the journal ${this.path} is closed; open the session again to append`);
    return this.fd;
  }
}

function openOrThrow(path: string, flags: string): number {
  try {
    return openSync(path, flags, 0o600);
  } catch (error) {
    throw new JournalError('journal_unwritable', `cannot open the journal ${path} for writing: ${(error as Error).message}`, { cause: error });
  }
}

function writeAll(fd: number, bytes: Buffer): number {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
  return written;
}

function asJournalError(error: unknown, path: string): JournalError {
  if (error instanceof JournalError) return error;
  return new JournalError(
    'journal_write_failed',
    `cannot write the journal ${path}: ${(error as Error).message}; fix that (e.g. free disk space), then resume the session`,
    { cause: error },
  );
}
