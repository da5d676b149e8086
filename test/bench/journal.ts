/**
 * Journal benchmark: what appending and reading a session journal cost.
 *   node dist/test/bench/journal.js      (after `npm run build`; writes bench-results/journal.json)
 * Figures: append cost per record at 10 and at 10,000 records (it must not grow
 * with the session), the fsync of one turn, reading and opening a 25,000-record
 * journal (a ~10,000-call session), listing it, and bytes per record.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readJournal } from '../../sessions/journal-reader.js';
import { JournalWriter } from '../../sessions/journal-writer.js';
import type { RecordBody } from '../../sessions/records.js';
import { Redactor } from '../../sessions/redactor.js';
import { SessionStore } from '../../sessions/store.js';

export interface JournalBenchResult {
  /** Mean microseconds per append over the first 10 records of a journal (after a warm-up journal, so JIT compilation is not counted). */
  appendUsAt10: number;
  /** Mean microseconds per append over records 9,001-10,000. */
  appendUsAt10000: number;
  /** The same at 10,000 with a redactor holding 3 secrets. */
  appendUsAt10000WithSecrets: number;
  /** Microseconds for the fsync at the end of a turn (3 records). */
  turnSyncUs: number;
  readRecords: number;
  readBytes: number;
  /** Milliseconds to read and verify the whole 25,000-record journal (best of 3). */
  readMs: number;
  /** CPU milliseconds (user + system) of that read: what it costs on a machine that is not shared. */
  readCpuMs: number;
  /** Milliseconds for store.open (lock, read, verify) of that session. */
  openMs: number;
  /** Milliseconds for store.list with that session in it. */
  listMs: number;
  bytesPerRecord: number;
  /** Journal bytes per tool call (assistant + tool_start + tool_end). */
  bytesPerToolCall: number;
}

/** One call of a realistic session: the assistant's message, the tool's start and its end. */
function toolCall(call: number): RecordBody[] {
  const id = `call_${call}`;
  const output = `src/module-${call % 97}.ts:${call % 400}: ${'const value = compute(input);'.repeat(1 + (call % 40))}\n`;
  return [
    {
      kind: 'assistant',
      turn: call,
      content: '',
      reasoning: `The test fails at line ${call % 400}; I should read the module first, then edit the call site.`,
      toolCalls: [{ id, type: 'function', function: { name: 'read_file', arguments: `{"path":"src/module-${call % 97}.ts","offset":${call % 400}}` } }],
      finish: 'tool_calls',
      usage: { promptTokens: 12_000 + call * 40, completionTokens: 80, cachedTokens: 11_900 + call * 40 },
      modelMs: 900,
    },
    { kind: 'tool_start', callId: id, name: 'read_file', replayable: true },
    { kind: 'tool_end', callId: id, name: 'read_file', isError: false, content: output, durationMs: 2 },
  ];
}

function meanAppendUs(writer: JournalWriter, bodies: RecordBody[]): number {
  const start = process.hrtime.bigint();
  for (const body of bodies) writer.append(body);
  return Number(process.hrtime.bigint() - start) / 1000 / bodies.length;
}

function bodies(count: number, from = 0): RecordBody[] {
  const out: RecordBody[] = [];
  for (let call = from; out.length < count; call++) out.push(...toolCall(call));
  return out.slice(0, count);
}

function appendCost(dir: string, name: string, redactor?: Redactor): { at10: number; at10000: number; turnSyncUs: number } {
  const writer = JournalWriter.create(join(dir, name), name, { fsync: 'never', ...(redactor ? { redactor } : {}) });
  const at10 = meanAppendUs(writer, bodies(10));
  meanAppendUs(writer, bodies(8_990, 10));
  const at10000 = meanAppendUs(writer, bodies(1_000, 3_000));
  writer.close();
  const synced = JournalWriter.create(join(dir, `${name}.synced`), name, { fsync: 'turn' });
  let syncNs = 0n;
  for (let turn = 0; turn < 50; turn++) {
    for (const body of toolCall(turn)) synced.append(body);
    const start = process.hrtime.bigint();
    synced.sync();
    syncNs += process.hrtime.bigint() - start;
  }
  synced.close();
  return { at10, at10000, turnSyncUs: Number(syncNs) / 1000 / 50 };
}

export function runJournalBench(): JournalBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'endure-bench-journal-'));
  try {
    appendCost(dir, 'warm-up');
    const plain = appendCost(dir, 'plain');
    const secret = appendCost(dir, 'secret', new Redactor(['sk-bench-0123456789abcdef', 'Bearer-token-xyz-123', 'another-secret-value']));

    const store = new SessionStore({ home: join(dir, 'home'), fsync: 'never' });
    const session = store.create({
      version: 'bench',
      task: 'fix the failing tests',
      cwd: dir,
      workspace: dir,
      endpoint: { baseURL: 'http://127.0.0.1:8080/v1', server: 'llama', model: 'qwen3-coder' },
      sandbox: 'host',
      thinking: true,
      systemPrompt: 'You are a careful coding agent.',
      tools: ['read_file', 'edit_file', 'run_shell'],
      settings: {},
    });
    for (const body of bodies(25_000 - 1)) session.append(body);
    session.close();
    const journal = session.paths.journal;
    const readBytes = statSync(journal).size;

    let readMs = Infinity;
    let readCpuMs = Infinity;
    let readRecords = 0;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      readRecords = readJournal(journal).records.length;
      const used = process.cpuUsage(cpu);
      readMs = Math.min(readMs, performance.now() - start);
      readCpuMs = Math.min(readCpuMs, (used.user + used.system) / 1000);
    }
    let start = performance.now();
    store.open(session.id).close();
    const openMs = performance.now() - start;
    start = performance.now();
    store.list();
    const listMs = performance.now() - start;

    return {
      appendUsAt10: round(plain.at10),
      appendUsAt10000: round(plain.at10000),
      appendUsAt10000WithSecrets: round(secret.at10000),
      turnSyncUs: round(plain.turnSyncUs),
      readRecords,
      readBytes,
      readMs: round(readMs),
      readCpuMs: round(readCpuMs),
      openMs: round(openMs),
      listMs: round(listMs),
      bytesPerRecord: Math.round(readBytes / readRecords),
      bytesPerToolCall: Math.round((readBytes / readRecords) * 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runJournalBench();
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'journal.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
