/**
 * Checkpoint benchmark: what a checkpoint costs a turn, and what a rewind takes,
 * on a 10,000-file git repository with one file changed per turn.
 *   BENCH=checkpoints npm run bench      (writes bench-results/checkpoints.json)
 * Figures: the first snapshot (cold: every file hashed), then per turn (one file
 * changed) the median and p99 of the snapshot (`git add --all` + `write-tree` in
 * the session's store), store bytes and journal bytes per checkpoint, and a
 * rewind 50 turns back (snapshot, diff, restore of 50 files). Then forks of
 * that session (a journal of 200 turns, one checkpoint each): the time of
 * `forkSession` in the parent's workspace (files as checkpoint N, and 50 files
 * off), with its own worktree (10,000 files checked out and brought to N), and
 * the bytes a fork adds (its session directory; the worktree's files aside).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckpointStore } from '../../sessions/checkpoints.js';
import { JournalWriter } from '../../sessions/journal-writer.js';
import type { Session } from '../../sessions/session.js';
import { SessionStore } from '../../sessions/store.js';
import { forkSession } from '../../src/cli/fork.js';
import { percentile } from './stats.js';

export interface CheckpointBenchResult {
  files: number;
  turns: number;
  /** Milliseconds of the first snapshot of the repository (every file read and hashed). */
  firstSnapshotMs: number;
  /** Milliseconds of a turn's checkpoint with one file changed: median and 99th percentile. */
  checkpointMedianMs: number;
  checkpointP99Ms: number;
  /** A checkpoint when nothing changed (a turn whose shell command wrote nothing). */
  unchangedMedianMs: number;
  /** Milliseconds to rewind 50 turns back (50 files restored), store work only. */
  rewindMs: number;
  /** Store bytes added per checkpoint (loose objects: the changed blob and the trees above it). */
  storeBytesPerCheckpoint: number;
  /** Store bytes of the first snapshot (the whole repository, zlib-compressed objects). */
  storeBytesFirst: number;
  /** Journal bytes of one checkpoint record. */
  journalBytesPerCheckpoint: number;
  /** Milliseconds of a fork in the parent's workspace, which holds the files of the turn forked at. */
  forkMs: number;
  /** The same when 50 files differ from the turn's checkpoint (named in a warning). */
  forkDifferingMs: number;
  /** Milliseconds of a fork with its own worktree (checked out, then brought to the turn's files). */
  forkWorktreeMs: number;
  /** Bytes of a fork's session directory (journal, summary, store with the warm index), in the parent's workspace. */
  forkBytes: number;
  /** Bytes of a worktree fork's session directory (its store's index of the worktree). */
  forkWorktreeBytes: number;
  /** Of a fork's bytes: its journal (the fork record) and its store's index (the stat cache of 10,000 files). */
  forkJournalBytes: number;
  forkIndexBytes: number;
}

const FILES = 10_000;
const TURNS = 200;

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  return total;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** One turn in the journal: a write call, its result and the checkpoint of `tree`. */
function journalTurn(session: Session, turn: number, tree: string): void {
  const id = `call_${turn}`;
  session.append({ kind: 'user', content: `step ${turn}` });
  session.append({ kind: 'assistant', turn, content: '', toolCalls: [{ id, type: 'function', function: { name: 'write_file', arguments: '{}' } }], finish: 'tool_calls' });
  session.append({ kind: 'tool_start', callId: id, name: 'write_file', replayable: false });
  session.append({ kind: 'tool_end', callId: id, name: 'write_file', isError: false, content: 'ok', durationMs: 1 });
  session.append({ kind: 'checkpoint', ref: tree, turn });
}

export async function benchCheckpoints(): Promise<CheckpointBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'endure-bench-checkpoints-'));
  try {
    const repo = join(root, 'repo');
    for (let i = 0; i < FILES; i++) {
      const dir = join(repo, `pkg${i % 50}`, `mod${i % 7}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `file${i}.ts`), `export const value${i} = ${i};\n${'// filler line of a source file\n'.repeat(30)}`);
    }
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'files');

    const home = join(root, 'home');
    const sessions = new SessionStore({ home, fsync: 'never' });
    const session = sessions.create({
      version: 'bench',
      task: 'checkpoints',
      cwd: repo,
      workspace: repo,
      endpoint: { baseURL: 'http://127.0.0.1:1/v1', server: 'llama', model: 'bench' },
      sandbox: 'host',
      thinking: false,
      systemPrompt: 'bench',
      tools: ['write_file'],
      settings: {},
    });
    const store = new CheckpointStore(session.paths.dir, repo);
    let started = performance.now();
    const trees = [await store.snapshot()];
    const firstSnapshotMs = performance.now() - started;
    const storeBytesFirst = dirBytes(store.gitDir);

    const times: number[] = [];
    for (let turn = 1; turn <= TURNS; turn++) {
      const i = (turn * 37) % FILES;
      writeFileSync(join(repo, `pkg${i % 50}`, `mod${i % 7}`, `file${i}.ts`), `export const value${i} = ${i + turn};\n`);
      started = performance.now();
      trees.push(await store.snapshot());
      times.push(performance.now() - started);
      journalTurn(session, turn, trees.at(-1)!);
    }
    session.close();
    const storeBytesPerCheckpoint = (dirBytes(store.gitDir) - storeBytesFirst) / TURNS;

    const unchanged: number[] = [];
    for (let i = 0; i < 20; i++) {
      started = performance.now();
      await store.snapshot();
      unchanged.push(performance.now() - started);
    }

    started = performance.now();
    const current = await store.snapshot();
    await store.changes(current, trees[TURNS - 50]!);
    await store.restore(current, trees[TURNS - 50]!);
    const rewindMs = performance.now() - started;

    const journalPath = join(root, 'journal.jsonl');
    const journal = JournalWriter.create(journalPath, 'bench', { fsync: 'never' });
    const before = statSync(journalPath).size;
    journal.append({ kind: 'checkpoint', ref: trees[1]!, turn: 123 });
    const journalBytesPerCheckpoint = statSync(journalPath).size - before;
    journal.close();

    // The workspace now holds turn 150's files.
    const timed = async (run: () => Promise<unknown>) => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    let forkId = '';
    const forkMs = await timed(async () => (forkId = (await forkSession(session.id, { home, at: TURNS - 50 })).sessionId));
    const forkBytes = dirBytes(join(home, 'sessions', forkId));
    const forkJournalBytes = statSync(join(home, 'sessions', forkId, 'journal.jsonl')).size;
    const forkIndexBytes = statSync(join(home, 'sessions', forkId, 'checkpoints.git', 'endure-index')).size;
    const forkDifferingMs = await timed(() => forkSession(session.id, { home, at: TURNS - 100 }));
    const forkWorktreeMs = await timed(async () => (forkId = (await forkSession(session.id, { home, at: TURNS - 50, worktree: true })).sessionId));
    const forkWorktreeBytes = dirBytes(join(home, 'sessions', forkId));

    return {
      files: FILES,
      turns: TURNS,
      firstSnapshotMs: round(firstSnapshotMs),
      checkpointMedianMs: round(percentile(times, 50)),
      checkpointP99Ms: round(percentile(times, 99)),
      unchangedMedianMs: round(percentile(unchanged, 50)),
      rewindMs: round(rewindMs),
      storeBytesPerCheckpoint: Math.round(storeBytesPerCheckpoint),
      storeBytesFirst,
      journalBytesPerCheckpoint,
      forkMs: round(forkMs),
      forkDifferingMs: round(forkDifferingMs),
      forkWorktreeMs: round(forkWorktreeMs),
      forkBytes,
      forkWorktreeBytes,
      forkJournalBytes,
      forkIndexBytes,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchCheckpoints();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
