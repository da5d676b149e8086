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
  return contentsOf(records, scan);
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
    const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    let position = from.offset;
    const read = (): Buffer => {
      const chunk = Buffer.allocUnsafe(Math.max(0, Math.min(chunkBytes, size - position)));
      let got = 0;
      while (got < chunk.length) {
        const n = readSync(fd, chunk, got, chunk.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      position += got;
      return chunk.subarray(0, got);
    };
    return yield* new LineParser(path, from, options.through ?? Infinity).records(read, size);
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
 * Verifies and parses journal bytes (`path` is only used in messages). A fork's
 * journal starts with its `fork` record, whose seq follows the parent's prefix.
 */
export function parseJournal(bytes: Buffer, path: string, from: ReadFrom = { offset: 0, seq: 0, lines: 0 }, through = Infinity): JournalContents {
  const records: JournalRecord[] = [];
  let given = false;
  const read = (): Buffer => {
    if (given) return Buffer.alloc(0);
    given = true;
    return bytes.subarray(from.offset);
  };
  return contentsOf(records, drain(new LineParser(path, from, through).records(read, bytes.length), (record) => records.push(record)));
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

  /** `read` returns the next bytes (empty at the end); the file held `size` bytes when the read began. */
  *records(read: () => Buffer, size: number): Generator<JournalRecord, JournalScan> {
    // buffer[0] is at byte `bufferStart` of the file; the current line starts at buffer[start].
    let buffer: Buffer = Buffer.alloc(0);
    let bufferStart = this.from.offset;
    let start = 0;
    let searched = 0;
    let ended = bufferStart >= size;
    for (;;) {
      const newline = nextNewline(buffer, searched);
      if (newline === -1 && !ended) {
        const chunk = read();
        if (chunk.length === 0) ended = true;
        else {
          const rest = buffer.subarray(start);
          buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
          bufferStart += start;
          searched = rest.length;
          start = 0;
        }
        continue;
      }
      if (newline === -1 && start === buffer.length) return this.done(bufferStart + start, false);
      const end = newline === -1 ? buffer.length : newline;
      const lineStart = bufferStart + start;
      // The last line of the file: damage there is a torn tail, anywhere else corruption.
      const last = newline === -1 || (ended && newline === buffer.length - 1) || bufferStart + newline === size - 1;
      this.line++;
      const decoded = end > start ? decodeLine(buffer, start, end) : ({ fault: 'checksum' } as const);
      if ('fault' in decoded) {
        if (last) {
          const reason = newline === -1 ? 'partial' : decoded.fault;
          return this.done(lineStart, false, { line: this.line, offset: lineStart, bytes: bufferStart + buffer.length - lineStart, reason });
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
      if (newline === -1) return this.done(bufferStart + buffer.length, true);
      if (this.seq >= this.through) return this.done(bufferStart + newline + 1, false);
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

function contentsOf(records: JournalRecord[], scan: JournalScan): JournalContents {
  return { records, ...scan };
}

function corrupt(path: string, line: number, what: string, firstFix = ''): JournalError {
  return new JournalError(
    'journal_corrupt',
    `journal ${path} line ${line} ${what}; ${firstFix}keep a copy of the file, then cut it before that line (head -n ${line - 1}) to resume from the record before it`,
  );
}
