/**
 * Reads a journal back: every line's checksum is verified and its shape
 * validated, and the sequence numbers must run 1, 2, 3... A damaged LAST line
 * (a write cut short by a crash or power cut: partial, bad checksum, or not
 * JSON) is a torn tail: it is left out and reported, and the writer cuts it off
 * when it opens the file. Damage anywhere before the last line is never
 * skipped: it throws a JournalError naming the line and what to do.
 *
 * Reading is one pass over one buffer: ~25,000 records read in well under a
 * second. `from` resumes a read at a known line boundary (used to bring a
 * session summary up to date without reading the whole file).
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
  torn?: TornTail;
}

/** Where to start reading: the offset of a line start, the seq before it, and the lines before it. */
export interface ReadFrom {
  offset: number;
  seq: number;
  lines: number;
}

/**
 * Reads and verifies the journal at `path`, from its start or from `from`
 * (which must be a line boundary the file still has, else a JournalError with
 * code `journal_changed`: read it whole instead). With `through`, reading stops
 * after the record of that seq (a fork reads its parent's prefix, nothing after).
 */
export function readJournal(path: string, from?: ReadFrom, through?: number): JournalContents {
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
    const skip = from && from.offset > 0 ? from.offset - 1 : 0;
    const bytes = Buffer.allocUnsafe(Math.max(0, size - skip));
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, skip + got);
      if (n === 0) break;
      got += n;
    }
    if (!from || from.offset === 0) return parseJournal(bytes.subarray(0, got), path, from, through);
    if (got === 0 || bytes[0] !== 0x0a) {
      throw new JournalError('journal_changed', `the journal ${path} no longer has a line boundary at byte ${from.offset}; read it whole`);
    }
    const tail = parseJournal(bytes.subarray(0, got), path, { ...from, offset: 1 }, through);
    return {
      ...tail,
      validBytes: tail.validBytes + skip,
      ...(tail.torn ? { torn: { ...tail.torn, offset: tail.torn.offset + skip } } : {}),
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Verifies and parses journal bytes (`path` is only used in messages). A fork's
 * journal starts with its `fork` record, whose seq follows the parent's prefix.
 */
export function parseJournal(bytes: Buffer, path: string, from: ReadFrom = { offset: 0, seq: 0, lines: 0 }, through = Infinity): JournalContents {
  const records: JournalRecord[] = [];
  let start = from.offset;
  let line = from.lines;
  let seq = from.seq;
  while (start < bytes.length) {
    line++;
    const newline = nextNewline(bytes, start);
    const end = newline === -1 ? bytes.length : newline;
    const last = newline === -1 || newline === bytes.length - 1;
    const decoded = end > start ? decodeLine(bytes, start, end) : ({ fault: 'checksum' } as const);
    if ('fault' in decoded) {
      if (last) {
        const reason = newline === -1 ? 'partial' : decoded.fault;
        return done(records, start, false, line - 1, { line, offset: start, bytes: bytes.length - start, reason });
      }
      throw corrupt(path, line, end > start ? `does not match its checksum` : 'is empty');
    }
    const checked = journalRecordSchema.safeParse(decoded.value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw corrupt(path, line, `is not a record this version of endure reads (${issue?.path.join('.') || 'record'}: ${issue?.message})`, 'update endure, or ');
    }
    const record = decoded.value as JournalRecord;
    const expected = line === 1 && record.kind === 'fork' ? record.throughSeq + 1 : seq + 1;
    if (record.seq !== expected) throw corrupt(path, line, `has seq ${record.seq} where ${expected} was expected`);
    seq = record.seq;
    records.push(record);
    if (newline === -1) return done(records, bytes.length, true, line);
    if (seq >= through) return done(records, newline + 1, false, line);
    start = newline + 1;
  }
  return done(records, start, false, line);
}

function done(records: JournalRecord[], validBytes: number, missingNewline: boolean, lines: number, torn?: TornTail): JournalContents {
  return torn ? { records, validBytes, missingNewline, lines, torn } : { records, validBytes, missingNewline, lines };
}

function corrupt(path: string, line: number, what: string, firstFix = ''): JournalError {
  return new JournalError(
    'journal_corrupt',
    `journal ${path} line ${line} ${what}; ${firstFix}keep a copy of the file, then cut it before that line (head -n ${line - 1}) to resume from the record before it`,
  );
}
