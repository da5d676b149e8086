/**
 * Reads a journal back: every line's checksum is verified and its shape
 * validated, and the sequence numbers must run 1, 2, 3... A damaged LAST line
 * (a write cut short by a crash or power cut: partial, bad checksum, or not
 * JSON) is a torn tail: it is left out and reported, and the writer cuts it off
 * when it opens the file. Damage anywhere before the last line is never
 * skipped: it throws a JournalError naming the line and what to do.
 *
 * Reading is one pass, a chunk at a time: ~25,000 records read in well under a
 * second, and `journalRecords` yields each record as it is read, so what a
 * reader does not keep is never held. `from` resumes a read at a known line
 * boundary (used to bring a session summary up to date without reading the
 * whole file).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { JournalError } from '../src/shared/errors.js';
import { decodeLine, nextNewline } from './journal-line.js';
import { journalRecordSchema } from './record-schema.js';
import type { JournalRecord } from './records.js';

/** The damaged last line that was left out. */
export interface TornTail {
  /** 1-based line number of the damaged line. */
  line: number;
  /** Byte offset where it starts (the file is cut back to this length). */
  offset: number;
  bytes: number;
  reason: 'partial' | 'checksum' | 'json';
}

export interface JournalContents {
  records: JournalRecord[];
  /** Length of the verified prefix of the file: where the next line goes. */
  validBytes: number;
  /** The last good line has no newline (a write cut exactly before it); the writer adds it before appending. */
  missingNewline: boolean;
  /** Lines in the verified prefix (the next line's number is `lines + 1`). */
  lines: number;
  /** The seq of the last record read (`from.seq` when none was). */
  seq: number;
  torn?: TornTail;
}

/** Where to start reading: the offset of a line start, the seq before it, and the lines before it. */
export interface ReadFrom {
  offset: number;
  seq: number;
  lines: number;
}

/** What a read of a journal found, without its records (they were yielded one by one). */
export type JournalScan = Omit<JournalContents, 'records'>;

export interface ScanOptions {
  /** Start at this line boundary instead of the file's start. */
  from?: ReadFrom;
  /** Stop after the record of this seq. */
  through?: number;
  /** Bytes read at a time. @default 1 MiB */
  chunkBytes?: number;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Reads and verifies the journal at `path`, from its start or from `from`
 * (which must be a line boundary the file still has, else a JournalError with
 * code `journal_changed`: read it whole instead). With `through`, reading stops
 * after the record of that seq (a fork reads its parent's prefix, nothing after).
 */
export function readJournal(path: string, from?: ReadFrom, through?: number): JournalContents {
  const records: JournalRecord[] = [];
  const scan = drain(journalRecords(path, { ...(from ? { from } : {}), ...(through !== undefined ? { through } : {}) }), (record) => records.push(record));
  return { records, ...scan };
}

/**
 * The same read as a stream: each verified record is yielded as its line is
 * read, a chunk at a time, so a long journal is never held whole (resume folds
 * it this way); what the scan found is the generator's return value. A record
 * the caller keeps is the only one that stays in memory.
 */
export function* journalRecords(path: string, options: ScanOptions = {}): Generator<JournalRecord, JournalScan> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new JournalError(
      missing ? 'journal_missing' : 'journal_unreadable',
      missing
        ? `no journal at ${path}; check the session id with 'endure sessions list'`
        : `cannot read the journal ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  try {
    const size = fstatSync(fd).size;
    const from = options.from ?? { offset: 0, seq: 0, lines: 0 };
    if (from.offset > 0) {
      const before = Buffer.alloc(1);
      if (readSync(fd, before, 0, 1, from.offset - 1) !== 1 || before[0] !== 0x0a) {
        throw new JournalError('journal_changed', `the journal ${path} no longer has a line boundary at byte ${from.offset}; read it whole`);
      }
    }
    // Reads into `into` from `at`, at most up to the size the file had when the read began.
    let position = from.offset;
    const read = (into: Buffer, at: number): number => {
      const n = position < size ? readSync(fd, into, at, Math.min(into.length - at, size - position), position) : 0;
      position += n;
      return n;
    };
    return yield* new LineParser(path, from, options.through ?? Infinity).records(read, size, options.chunkBytes ?? CHUNK_BYTES);
  } finally {
    closeSync(fd);
  }
}

/** Runs `generator` to its end, handing each item to `visit`; returns what it returned. */
export function drain<T, R>(generator: Generator<T, R>, visit: (item: T) => void): R {
  for (;;) {
    const next = generator.next();
    if (next.done) return next.value;
    visit(next.value);
  }
}

/**
 * Checks a journal's lines as its bytes arrive: a line cut by the end of one
 * chunk is completed by the next (only that line's bytes are carried over).
 */
class LineParser {
  private line: number;
  private seq: number;

  constructor(
    private readonly path: string,
    private readonly from: ReadFrom,
    private readonly through: number,
  ) {
    this.line = from.lines;
    this.seq = from.seq;
  }

  /**
   * `read(into, at)` puts the next bytes into `into` from `at` and returns how
   * many (0 at the end); the file held `size` bytes when the read began. One
   * buffer of `chunkBytes` is reused (grown only for a longer line).
   */
  *records(read: (into: Buffer, at: number) => number, size: number, chunkBytes: number): Generator<JournalRecord, JournalScan> {
    let buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, size - this.from.offset)));
    // The bytes held are `view` (the start of `buffer`), from byte `viewStart` of the file; the current line starts at view[start].
    let view = buffer.subarray(0, 0);
    let viewStart = this.from.offset;
    let start = 0;
    let searched = 0;
    let ended = viewStart >= size;
    for (;;) {
      const newline = nextNewline(view, searched);
      if (newline === -1 && !ended) {
        // Keep the unfinished line: move it to the front (or into a larger buffer), then read after it.
        const rest = view.length - start;
        if (rest === buffer.length) {
          const larger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(larger, 0, start, view.length);
          buffer = larger;
        } else if (start > 0) buffer.copy(buffer, 0, start, view.length);
        viewStart += start;
        searched = rest;
        start = 0;
        const n = read(buffer, rest);
        if (n === 0) ended = true;
        view = buffer.subarray(0, rest + n);
        continue;
      }
      if (newline === -1 && start === view.length) return this.done(viewStart + start, false);
      const end = newline === -1 ? view.length : newline;
      const lineStart = viewStart + start;
      // The last line of the file: damage there is a torn tail, anywhere else corruption.
      const last = newline === -1 || viewStart + newline === size - 1 || (ended && newline === view.length - 1);
      this.line++;
      const decoded = end > start ? decodeLine(view, start, end) : ({ fault: 'checksum' } as const);
      if ('fault' in decoded) {
        if (last) {
          const reason = newline === -1 ? 'partial' : decoded.fault;
          return this.done(lineStart, false, { line: this.line, offset: lineStart, bytes: viewStart + view.length - lineStart, reason });
        }
        throw this.corrupt(end > start ? `does not match its checksum` : 'is empty');
      }
      const checked = journalRecordSchema.safeParse(decoded.value);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw this.corrupt(`is not a record this version of endure reads (${issue?.path.join('.') || 'record'}: ${issue?.message})`, 'update endure, or ');
      }
      const record = decoded.value as JournalRecord;
      const expected = this.line === 1 && record.kind === 'fork' ? record.throughSeq + 1 : this.seq + 1;
      if (record.seq !== expected) throw this.corrupt(`has seq ${record.seq} where ${expected} was expected`);
      this.seq = record.seq;
      yield record;
      if (newline === -1) return this.done(viewStart + view.length, true);
      if (this.seq >= this.through) return this.done(viewStart + newline + 1, false);
      start = newline + 1;
      searched = start;
    }
  }

  private done(validBytes: number, missingNewline: boolean, torn?: TornTail): JournalScan {
    const lines = torn ? this.line - 1 : this.line;
    const scan = { validBytes, missingNewline, lines, seq: this.seq };
    return torn ? { ...scan, torn } : scan;
  }

  private corrupt(what: string, firstFix = ''): JournalError {
    return corrupt(this.path, this.line, what, firstFix);
  }
}

function corrupt(path: string, line: number, what: string, firstFix = ''): JournalError {
  return new JournalError(
    'journal_corrupt',
    `journal ${path} line ${line} ${what}; ${firstFix}keep a copy of the file, then cut it before that line (head -n ${line - 1}) to resume from the record before it`,
  );
}
