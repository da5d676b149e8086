/**
 * The journal read as a stream (what resume folds from): read a chunk at a
 * time, it yields exactly the records, torn tail and boundaries of a read of
 * the whole file, whatever the chunk size: lines split across chunks, a line
 * longer than a chunk (multi-byte characters cut in two), a torn last line, a
 * damaged line before the end, a read from a known line boundary. A resumed
 * session folds from it without keeping the records, and a journal with a
 * rewind folds its current line, as a fold of the records in memory does.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { foldRecords, JournalFold } from '../../src/agent/fold.js';
import { drain, journalRecords, readJournal, type ScanOptions } from '../../sessions/journal-reader.js';
import { JournalWriter } from '../../sessions/journal-writer.js';
import type { JournalRecord, RecordBody } from '../../sessions/records.js';
import { expectedBody, startBody, test } from './fixtures.js';

function writeJournal(path: string, bodies: RecordBody[]): void {
  const writer = JournalWriter.create(path, 's', { clock: () => 1_700_000_000_000 });
  for (const body of bodies) writer.append(body);
  writer.close();
}

/** Records 1..count of the deterministic sample, one of them far longer than the small chunks, with 3-byte characters. */
function sample(count: number): RecordBody[] {
  return Array.from({ length: count }, (_, index) => {
    const seq = index + 1;
    if (seq === 5) return { kind: 'user', content: '✓ long line '.repeat(400) };
    return expectedBody(seq);
  });
}

function streamed(path: string, options: ScanOptions) {
  const records: JournalRecord[] = [];
  const scan = drain(journalRecords(path, options), (record) => records.push(record));
  return { records, ...scan };
}

/** Chunk sizes from one byte to more than the file: every split of every line. */
const CHUNKS = [1, 2, 3, 7, 64, 100, 1000, 4096, 1 << 20];

describe('the journal read as a stream', () => {
  test('yields what a whole read finds, for every chunk size', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, sample(40));
    const whole = readJournal(path);
    expect(whole.records).toHaveLength(40);
    expect(statSync(path).size).toBeGreaterThan(4096);
    for (const chunkBytes of CHUNKS) expect(streamed(path, { chunkBytes }), `chunk ${chunkBytes}`).toEqual(whole);
  });

  test.for([
    ['cut mid-line', (bytes: Buffer) => bytes.subarray(0, bytes.length - 40)],
    ['a last line without its newline', (bytes: Buffer) => bytes.subarray(0, bytes.length - 1)],
    ['a damaged last line', (bytes: Buffer) => flip(bytes, bytes.length - 30)],
    ['zeros after the last line', (bytes: Buffer) => Buffer.concat([bytes, Buffer.alloc(3000)])],
  ] as const)('a torn or unterminated last line (%s) is found as a whole read finds it', ([, damage], { home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, sample(12));
    writeFileSync(path, damage(readFileSync(path)));
    const whole = readJournal(path);
    for (const chunkBytes of CHUNKS) expect(streamed(path, { chunkBytes }), `chunk ${chunkBytes}`).toEqual(whole);
  });

  test('a damaged line before the end is an error naming it, whatever the chunk size', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, sample(12));
    const bytes = readFileSync(path);
    const lineSix = bytes.indexOf('"seq":6');
    writeFileSync(path, flip(bytes, lineSix + 20));
    for (const chunkBytes of CHUNKS) expect(() => streamed(path, { chunkBytes }), `chunk ${chunkBytes}`).toThrow(/line 6 does not match its checksum/);
  });

  test('reads on from a line boundary, and stops after a seq', ({ home }) => {
    const path = join(home, 'journal.jsonl');
    writeJournal(path, sample(20));
    const head = readJournal(path, undefined, 8);
    const from = { offset: head.validBytes, seq: head.seq, lines: head.lines };
    const tail = readJournal(path, from);
    expect(tail.records.map((record) => record.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 9));
    for (const chunkBytes of CHUNKS) {
      expect(streamed(path, { from, chunkBytes }), `chunk ${chunkBytes}`).toEqual(tail);
      expect(streamed(path, { through: 8, chunkBytes }), `chunk ${chunkBytes}`).toEqual(head);
    }
    expect(() => streamed(path, { from: { ...from, offset: from.offset + 3 } })).toThrow(/no longer has a line boundary/);
  });

  test('a session is opened holding none of its records; a rewound one folds its current line from them read again', ({ store }) => {
    const session = store.create(startBody);
    const turn = (n: number): RecordBody[] => [
      { kind: 'user', content: `step ${n}` },
      { kind: 'assistant', turn: n, content: '', toolCalls: [{ id: `c${n}`, type: 'function', function: { name: 'read_file', arguments: `{"n":${n}}` } }], finish: 'tool_calls' },
      { kind: 'tool_start', callId: `c${n}`, name: 'read_file', replayable: true },
      { kind: 'tool_end', callId: `c${n}`, name: 'read_file', isError: false, content: `out ${n}`, durationMs: 1 },
    ];
    for (const body of [...turn(1), ...turn(2)]) session.append(body);
    const endOfTurnOne = 5;
    session.append({ kind: 'rewind', toTurn: 1, throughSeq: endOfTurnOne, tree: 'a'.repeat(40) });
    for (const body of turn(3)) session.append(body);
    session.close();

    const fold = new JournalFold();
    let reads = 0;
    const opened = store.open(session.id, (record) => fold.add(record));
    const state = fold.result(() => {
      reads += 1;
      return opened.history();
    });
    opened.close();
    const all = store.read(session.id).records;
    expect(reads).toBe(1);
    expect(state).toEqual(foldRecords(all));
    expect(state.messages.map((message) => message.content)).toEqual([startBody.systemPrompt, 'step 1', '', 'out 1', 'step 3', '', 'out 3']);
    expect(state).toMatchObject({ turns: 3, toolCalls: 3, lastSeq: all.length });

    // Without a rewind, the records are read once.
    const straight = store.create(startBody);
    for (const body of turn(1)) straight.append(body);
    straight.close();
    const once = new JournalFold();
    store.open(straight.id, (record) => once.add(record)).close();
    expect(once.result(() => expect.unreachable('read again without a rewind'))).toEqual(foldRecords(store.read(straight.id).records));
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
