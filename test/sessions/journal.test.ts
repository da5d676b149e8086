import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import { JournalWriter, type FsyncPolicy } from '../../sessions/journal-writer.js';
import { emptySummary } from '../../sessions/summary.js';
import { JournalError } from '../../src/shared/errors.js';
import { expectedBody, test } from './fixtures.js';

function writeJournal(path: string, count: number, fsync: FsyncPolicy = 'turn'): void {
  const writer = JournalWriter.create(path, 's', { fsync, clock: () => 1_700_000_000_000 });
  for (let seq = 1; seq <= count; seq++) writer.append(expectedBody(seq));
  writer.close();
}

function lineStarts(path: string): number[] {
  const bytes = readFileSync(path);
  const starts = [0];
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return starts;
}

describe('journal', () => {
  test('appends and reads back every record with its envelope', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    let now = 1000;
    const writer = JournalWriter.create(path, 's', { clock: () => now++ });
    const written = [1, 2, 3, 4, 5, 6].map((seq) => writer.append(expectedBody(seq)));
    writer.close();
    expect(written.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const { records, torn, validBytes } = readJournal(path);
    expect(torn).toBeUndefined();
    expect(validBytes).toBe(statSync(path).size);
    expect(records).toEqual(written);
    expect(records[0]).toMatchObject({ seq: 1, t: 1000, ...expectedBody(1) });
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toMatch(/,"crc":"[0-9a-f]{8}"\}$/);
  });

  test.for(['turn', 'always', 'never'] as const)('fsync policy %s writes the same bytes', (fsync, { home }) => {
    const path = join(home, `${fsync}.jsonl`);
    writeJournal(path, 30, fsync);
    const reference = join(home, 'reference.jsonl');
    writeJournal(reference, 30, 'turn');
    expect(readFileSync(path).equals(readFileSync(reference))).toBe(true);
  });

  test('a flipped byte in the middle is an error naming its line', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, 20);
    const starts = lineStarts(path);
    const bytes = readFileSync(path);
    const at = starts[9]! + 12;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
    const error = catchError(() => readJournal(path));
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'journal_corrupt' });
    expect(error.message).toContain('line 10 does not match its checksum');
    expect(error.message).toContain('head -n 9');
    expect(() => JournalWriter.open(path, 's', readJournal(path), emptySummary('s'))).toThrow(/line 10/);
  });

  test('a seq out of order is an error, not a skip', ({ home }) => {
    const a = join(home, 'a.jsonl');
    writeJournal(a, 4);
    const lines = readFileSync(a, 'utf8').split('\n');
    writeFileSync(a, [lines[0], lines[2], lines[1], lines[3], ''].join('\n'));
    expect(() => readJournal(a)).toThrow(/line 2 has seq 3 where 2 was expected/);
  });

  test('an empty line before the end is an error', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, 3);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [lines[0], '', lines[1], lines[2], ''].join('\n'));
    expect(() => readJournal(path)).toThrow(/line 2 is empty/);
  });

  test.for([
    ['cut mid-line', (bytes: Buffer) => bytes.subarray(0, bytes.length - 40), 'partial'],
    ['garbage after the last line', (bytes: Buffer) => Buffer.concat([bytes, Buffer.from('{"seq":9,"t":1,"ki')]), 'partial'],
    ['zeros after the last line', (bytes: Buffer) => Buffer.concat([bytes, Buffer.alloc(4096)]), 'partial'],
    ['a damaged last line', (bytes: Buffer) => flipNear(bytes, bytes.length - 30), 'checksum'],
  ] as const)('a torn last line (%s) is cut off, reported, and appending goes on', ([, damage, reason], { home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, 12);
    const whole = readFileSync(path);
    const starts = lineStarts(path);
    writeFileSync(path, damage(whole));
    const size = statSync(path).size;
    const contents = readJournal(path);
    const lastGood = reason === 'partial' && size > whole.length ? 12 : 11;
    expect(contents.records.map((record) => record.seq)).toEqual(range(1, lastGood));
    expect(contents.torn).toEqual({
      line: lastGood + 1,
      offset: lastGood === 12 ? whole.length : starts[11],
      bytes: size - (lastGood === 12 ? whole.length : starts[11]!),
      reason,
    });
    const writer = JournalWriter.open(path, 's', contents, emptySummary('s'));
    expect(statSync(path).size).toBe(contents.validBytes);
    const next = writer.append(expectedBody(lastGood + 1));
    writer.close();
    expect(next.seq).toBe(lastGood + 1);
    const after = readJournal(path);
    expect(after.torn).toBeUndefined();
    expect(after.records.map((record) => record.seq)).toEqual(range(1, lastGood + 1));
  });

  test('a last line whose newline was lost is kept, and the newline is added', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, 5);
    truncateSync(path, statSync(path).size - 1);
    const contents = readJournal(path);
    expect(contents.torn).toBeUndefined();
    expect(contents.missingNewline).toBe(true);
    expect(contents.records).toHaveLength(5);
    const writer = JournalWriter.open(path, 's', contents, emptySummary('s'));
    writer.append(expectedBody(6));
    writer.close();
    expect(readJournal(path).records.map((record) => record.seq)).toEqual(range(1, 6));
  });

  test('a line that is not a record this version reads names its field', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    const writer = JournalWriter.create(path, 's');
    writer.append(expectedBody(1));
    writer.append({ kind: 'user', content: 42 } as never);
    writer.append(expectedBody(3));
    writer.close();
    expect(() => readJournal(path)).toThrow(/line 2 is not a record this version of endure reads \(content:/);
  });

  test('appending is a plain append: earlier bytes never change', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    const writer = JournalWriter.create(path, 's');
    writer.append(expectedBody(1));
    const before = readFileSync(path);
    for (let seq = 2; seq <= 40; seq++) writer.append(expectedBody(seq));
    writer.sync();
    expect(readFileSync(path).subarray(0, before.length).equals(before)).toBe(true);
    writer.close();
    expect(() => writer.append(expectedBody(41))).toThrow(/closed; open the session again/);
  });

  test('a missing journal is a clear error', ({ home }) => {
    expect(() => readJournal(join(home, 'nope.jsonl'))).toThrow(/no journal at .*nope\.jsonl; check the session id/);
  });

  test('reading on from a line boundary gives the rest', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, 9);
    const starts = lineStarts(path);
    const tail = readJournal(path, { offset: starts[5]!, seq: 5, lines: 5 });
    expect(tail.records.map((record) => record.seq)).toEqual([6, 7, 8, 9]);
    expect(tail.lines).toBe(9);
    expect(tail.validBytes).toBe(statSync(path).size);
    expect(() => readJournal(path, { offset: starts[5]! + 3, seq: 5, lines: 5 })).toThrow(/no longer has a line boundary/);
    appendFileSync(path, 'torn');
    expect(readJournal(path, { offset: starts[5]!, seq: 5, lines: 5 }).torn).toMatchObject({ line: 10, offset: statSync(path).size - 4, bytes: 4 });
  });
});

function flipNear(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x02;
  return copy;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function catchError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('journal: fsync at the end of a turn in the background', () => {
  test('lines appended while it runs get their own; closing under it loses nothing', async ({ home }) => {
    const path = join(home, 'journal.jsonl');
    const writer = JournalWriter.create(path, 's', { clock: () => 1_700_000_000_000 });
    for (let seq = 1; seq <= 3; seq++) writer.append(expectedBody(seq));
    writer.syncSoon();
    for (let seq = 4; seq <= 6; seq++) writer.append(expectedBody(seq));
    writer.syncSoon();
    await writer.settled();
    writer.append(expectedBody(7));
    writer.syncSoon();
    // close() syncs at once and closes the descriptor only when the background fdatasync is done.
    writer.close();
    await writer.settled();
    expect(readJournal(path).records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => writer.syncSoon()).toThrow(/closed; open the session again/);
  });

  test('a failed background fdatasync breaks the journal: the next append says what to do', async ({ home }) => {
    // fdatasync fails on a pipe (EINVAL), as it would on a disk that cannot write back.
    const path = join(home, 'journal.jsonl');
    execFileSync('mkfifo', [path]);
    const reader = openSync(path, 'r+');
    try {
      const writer = JournalWriter.open(path, 's', { lines: 0, validBytes: 0, missingNewline: false, seq: 0 }, emptySummary('s'));
      writer.append(expectedBody(1));
      writer.syncSoon();
      await writer.settled();
      expect(() => writer.append(expectedBody(2))).toThrow(/cannot write the journal .*journal\.jsonl: .*EINVAL.*then resume the session/);
      writer.close();
    } finally {
      closeSync(reader);
    }
  });
});
