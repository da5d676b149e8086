/**
 * What opening /rewind costs in a long session: a 10,000-file git repository,
 * a journal of 500 turns that each wrote one file and were checkpointed, and a
 * rewind in the middle (so the history has two lines). Figures: reading the
 * journal, listing the turns with the files each changed (one pass over the
 * records and one git process for every turn's diff), and the check for files
 * changed outside the session (a snapshot of the workspace), each the median of
 * five; then the rewind itself, 250 turns back.
 *   BENCH=rewind-list npm run bench      (writes bench-results/rewind-list.json)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckpointStore } from '../../sessions/checkpoints.js';
import { readJournal } from '../../sessions/journal-reader.js';
import { JournalWriter } from '../../sessions/journal-writer.js';
import { turnPoint } from '../../sessions/history.js';
import { rewindPoints } from '../../src/cli/rewind-points.js';
import { median } from './stats.js';

export interface RewindListBenchResult {
  files: number;
  turns: number;
  journalRecords: number;
  journalBytes: number;
  /** Milliseconds to read and verify the journal (the UI reads it again when /rewind opens). */
  readJournalMs: number;
  /** Milliseconds to list the turns with their files, journal read excluded. */
  listMs: number;
  /** Milliseconds of the check for files changed outside the session (a snapshot and a diff). */
  outsideCheckMs: number;
  /** Milliseconds of the rewind's store work, 250 turns back (snapshot, diff, restore). */
  rewindMs: number;
}

const FILES = 10_000;
const TURNS = 500;
const RUNS = 5;

const round = (value: number) => Math.round(value * 100) / 100;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return round(median(times));
}

export async function benchRewindList(): Promise<RewindListBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'endure-bench-rewind-list-'));
  try {
    const repo = join(root, 'repo');
    const file = (i: number) => join(repo, `pkg${i % 50}`, `mod${i % 7}`, `file${i}.ts`);
    for (let i = 0; i < FILES; i++) {
      mkdirSync(join(repo, `pkg${i % 50}`, `mod${i % 7}`), { recursive: true });
      writeFileSync(file(i), `export const value${i} = ${i};\n`);
    }
    execFileSync('git', ['init', '-q'], { cwd: repo });

    const sessionDir = join(root, 'session');
    mkdirSync(sessionDir);
    const store = new CheckpointStore(sessionDir, repo);
    const journalPath = join(sessionDir, 'journal.jsonl');
    const journal = JournalWriter.create(journalPath, 'bench', { fsync: 'never' });
    journal.append({
      kind: 'session_start', sessionId: 'bench', version: '0', task: 'a long refactor', cwd: repo, workspace: repo,
      endpoint: { baseURL: 'http://127.0.0.1:1/v1', server: 'llama', model: 'm' }, sandbox: 'host', thinking: false, systemPrompt: 'system', tools: ['write_file'], settings: {},
    });
    journal.append({ kind: 'user', content: 'a long refactor' });
    for (let turn = 1; turn <= TURNS; turn++) {
      const i = (turn * 37) % FILES;
      const path = file(i).slice(repo.length + 1);
      const content = `export const value${i} = ${i + turn};\n`;
      writeFileSync(file(i), content);
      const args = JSON.stringify({ path, content });
      journal.append({ kind: 'assistant', turn, content: turn % 3 === 0 ? `Turn ${turn}: next file.` : '', toolCalls: [{ id: `c${turn}`, type: 'function', function: { name: 'write_file', arguments: args } }], finish: 'tool_calls' });
      journal.append({ kind: 'tool_start', callId: `c${turn}`, name: 'write_file', replayable: false });
      journal.append({ kind: 'tool_end', callId: `c${turn}`, name: 'write_file', isError: false, content: `wrote ${path}`, durationMs: 2 });
      journal.append({ kind: 'checkpoint', ref: await store.snapshot(), turn });
      if (turn === TURNS / 2) {
        // A rewind 100 turns back halfway: the rest of the session is a second line.
        const point = turnPoint(readJournal(journalPath).records, turn - 100)!;
        const current = await store.snapshot();
        await store.restore(current, point.tree!);
        journal.append({ kind: 'rewind', toTurn: turn - 100, throughSeq: point.throughSeq, tree: point.tree! });
      }
    }
    journal.close();

    const records = readJournal(journalPath).records;
    const readJournalMs = await timed(async () => readJournal(journalPath));
    const listMs = await timed(() => rewindPoints(records, store));
    const last = records.findLast((record) => record.kind === 'checkpoint');
    const outsideCheckMs = await timed(async () => store.changes(last?.kind === 'checkpoint' ? last.ref : '', await store.snapshot()));

    const started = performance.now();
    const current = await store.snapshot();
    const target = turnPoint(records, TURNS - 250)!.tree!;
    await store.changes(current, target);
    await store.restore(current, target);
    const rewindMs = round(performance.now() - started);

    return { files: FILES, turns: TURNS, journalRecords: records.length, journalBytes: statSync(journalPath).size, readJournalMs, listMs, outsideCheckMs, rewindMs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchRewindList();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
