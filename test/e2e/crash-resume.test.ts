/**
 * kill -9 of the real `endure exec` process at random points of a 200-call
 * session, resuming with `--resume last` after each kill until the session
 * ends, checked against an uninterrupted run of the same script: no side
 * effect runs twice, no completed work is lost (a missing effect was recorded
 * as interrupted), the journal reads cleanly, and turns and tool calls agree.
 *
 * The kill points are random (seeded; set ENDURE_E2E_SEED to replay one) and
 * event-driven, cycling through three triggers: the journal grew by some
 * bytes and its last record is the tool_start of an append (the side effect
 * is about to run), the append log gained some lines (a side effect just ran),
 * or the model was asked for a later turn (the process waits on the model).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { foldRecords } from '../../src/agent/fold.js';
import type { JournalRecord } from '../../sessions/records.js';
import {
  call,
  e2eTest as test,
  journalCalls,
  journalOf,
  journalPath,
  makeRepo,
  planModel,
  sessionIds,
  turnOf,
  type EndureProcess,
  type PlanStep,
  waitFor,
} from '../support/e2e-fixtures.js';
import { startScriptedServer, type ReceivedRequest, type Step } from '../support/scripted-server.js';

const TURNS = 40;
const KILLS = 8;
const ANSWER = 'Appended all 80 lines.';

/** 40 turns of 5 calls: reads (parallel batches) around two side-effecting appends. */
function plan(): PlanStep[] {
  return Array.from({ length: TURNS }, (_, k) => ({
    toolCalls: [
      call('read_file', { path: `data/${k % 10}.txt`, offset: (k % 20) + 1, limit: 3 }),
      call('run_shell', { command: `echo line-${2 * k} >> appends.log` }),
      call('list_dir', { path: 'data' }),
      call('read_file', { path: 'appends.log', offset: 1, limit: 2 }),
      call('run_shell', { command: `echo line-${2 * k + 1} >> appends.log` }),
    ],
  }));
}

function projectFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`data/${i}.txt`] = Array.from({ length: 20 }, (_, n) => `file ${i} line ${n + 1}`).join('\n') + '\n';
  return files;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The size of the home's only session journal; 0 before it exists. */
function journalSize(home: string): number {
  const [id] = sessionIds(home);
  if (!id) return 0;
  try {
    return statSync(journalPath(home, id)).size;
  } catch {
    return 0;
  }
}

/** The last complete line of a file (reads only its tail). */
function lastLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
  } finally {
    closeSync(fd);
  }
}

function startsAnAppend(line: string): boolean {
  return line.includes('"kind":"tool_start"') && line.includes('"name":"run_shell"');
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/** The appended line of a run_shell call, from its arguments. */
function appendedLine(args: string): string | undefined {
  return /echo (line-\d+) >>/.exec(JSON.parse(args).command)?.[1];
}

function callsById(records: readonly JournalRecord[]): Map<string, { name: string; arguments: string }> {
  const map = new Map<string, { name: string; arguments: string }>();
  for (const record of records) if (record.kind === 'assistant') for (const c of record.toolCalls ?? []) map.set(c.id, c.function);
  return map;
}

describe('kill -9 at random points of a 200-call session', { timeout: 120_000 }, () => {
  test('resuming after every kill loses nothing completed and repeats no side effect', { timeout: 240_000 }, async ({ scratch, server, endure, home }) => {
    const seed = process.env.ENDURE_E2E_SEED ? Number(process.env.ENDURE_E2E_SEED) : Math.floor(Math.random() * 1e9);
    const context = `seed ${seed} (rerun with ENDURE_E2E_SEED=${seed})`;
    const next = random(seed);
    const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));

    const straightServer = await startScriptedServer({ keepRequests: 10 });
    try {
      straightServer.respondWith(planModel(plan(), ANSWER));
      const straightHome = join(scratch, 'straight-home');
      mkdirSync(straightHome);
      const straightRepo = makeRepo(scratch, 'straight', projectFiles());
      const straightRun = endure.exec(['--output-format', 'json', 'append the lines'], {
        home: straightHome,
        cwd: straightRepo,
        baseUrl: straightServer.url,
      }).done;

      const repo = makeRepo(scratch, 'killed', projectFiles());
      const log = join(repo, 'appends.log');
      let onRequest: ((request: ReceivedRequest) => boolean) | undefined;
      const model = planModel(plan(), ANSWER);
      server.respondWith((request): Promise<Step> | Step => (onRequest?.(request) ? { type: 'hang' } : model(request)));

      const kills: string[] = [];
      let runs = 0;
      let last: Awaited<EndureProcess['done']> | undefined;
      while (runs < 40) {
        runs += 1;
        const args = runs === 1 ? ['--output-format', 'json', 'append the lines'] : ['--output-format', 'json', '--resume', 'last'];
        const run = endure.exec(args, { cwd: repo });
        if (kills.length === KILLS) {
          last = await run.done;
          break;
        }
        // The ranges below keep all KILLS inside the 40 turns even at their largest (about 26 turns).
        const trigger = kills.length % 3;
        let armed = true;
        let fired: string | undefined;
        const kill = (why: string) => {
          if (!armed) return;
          armed = false;
          fired = why;
          run.child.kill('SIGKILL');
        };
        if (trigger === 2) {
          const turnsDone = sessionIds(home).length ? foldRecords(journalOf(home, sessionIds(home)[0]!).records).turns : 0;
          const target = turnsDone + between(1, 4);
          onRequest = (request) => {
            if (!armed || turnOf(request) < target) return false;
            kill(`asked for turn ${turnOf(request)}`);
            return true;
          };
        }
        const linesAtStart = lines(log).length;
        const lineTarget = linesAtStart + between(1, 8);
        const journalAtStart = journalSize(home);
        const byteTarget = journalAtStart + between(500, 10_000);
        const watcher = setInterval(() => {
          if (trigger === 0 && journalSize(home) >= byteTarget && startsAnAppend(lastLine(journalPath(home, sessionIds(home)[0]!))))
            kill(`journal past ${byteTarget} bytes at an append's tool_start`);
          if (trigger === 1 && lines(log).length >= lineTarget) kill(`appends.log reached ${lineTarget} lines`);
        }, 2);
        const outcome = await run.done;
        clearInterval(watcher);
        armed = false;
        onRequest = undefined;
        if (fired !== undefined) {
          expect(outcome.signal, context).toBe('SIGKILL');
          kills.push(fired);
          continue;
        }
        last = outcome;
        break;
      }

      expect(last, `${context}; kills: ${kills.join('; ')}`).toBeDefined();
      expect(last!.code, `${context}; stderr: ${last!.stderr}`).toBe(0);
      const result = JSON.parse(last!.stdout);
      const straight = await straightRun;
      expect(straight.code, straight.stderr).toBe(0);
      const straightResult = JSON.parse(straight.stdout);
      expect(straightResult).toMatchObject({ status: 'done', result: ANSWER, turns: TURNS + 1, tool_calls: 5 * TURNS });
      expect(result, context).toMatchObject({ status: 'done', result: ANSWER, turns: straightResult.turns, tool_calls: straightResult.tool_calls });

      const id = sessionIds(home)[0]!;
      expect(sessionIds(home)).toEqual([id]);
      const journal = journalOf(home, id);
      expect(journal.torn, context).toBe(false);
      expect(journal.records.map((record) => record.seq)).toEqual(journal.records.map((_, i) => i + 1));
      const straightJournal = journalOf(straightHome, sessionIds(straightHome)[0]!);
      expect(journalCalls(journal.records), context).toEqual(journalCalls(straightJournal.records));
      const state = foldRecords(journal.records);
      expect(state.turns).toBe(straightResult.turns);
      expect(state.toolCalls).toBe(straightResult.tool_calls);
      expect(state.openCalls).toEqual([]);

      const calls = callsById(journal.records);
      const starts = new Map<string, number>();
      const ends = new Map<string, Extract<JournalRecord, { kind: 'tool_end' }>[]>();
      for (const record of journal.records) {
        if (record.kind === 'tool_start') starts.set(record.callId, (starts.get(record.callId) ?? 0) + 1);
        if (record.kind === 'tool_end') ends.set(record.callId, [...(ends.get(record.callId) ?? []), record]);
      }
      expect(calls.size).toBe(5 * TURNS);
      for (const [callId, fn] of calls) {
        expect(ends.get(callId), `${context}: ${callId} has one result`).toHaveLength(1);
        if (fn.name === 'run_shell') expect(starts.get(callId) ?? 0, `${context}: ${callId} started at most once`).toBeLessThanOrEqual(1);
      }

      const written = lines(log);
      const straightLines = lines(join(straightRepo, 'appends.log'));
      expect(straightLines).toEqual(Array.from({ length: 2 * TURNS }, (_, i) => `line-${i}`));
      expect(new Set(written).size, `${context}: no line twice`).toBe(written.length);
      expect(written, context).toEqual(straightLines.filter((line) => written.includes(line)));

      const interrupted: string[] = [];
      for (const [callId, fn] of calls) {
        const line = fn.name === 'run_shell' ? appendedLine(fn.arguments) : undefined;
        if (!line) continue;
        const end = ends.get(callId)![0]!;
        if (end.outcome === 'interrupted') interrupted.push(line);
        else {
          expect(end.outcome, context).toBeUndefined();
          expect(written, `${context}: ${line} completed, so it is in the file`).toContain(line);
        }
        if (written.includes(line)) expect(starts.get(callId), `${context}: ${line} was journaled before it ran`).toBe(1);
      }
      for (const line of straightLines.filter((line) => !written.includes(line)))
        expect(interrupted, `${context}: the missing ${line} was recorded as interrupted`).toContain(line);
      expect(kills, context).toHaveLength(KILLS);
      console.log(`${context}: ${kills.length} kills (${kills.join('; ')}), ${runs} runs, ${interrupted.length} appends interrupted, ${written.length} of ${straightLines.length} lines`);
    } finally {
      await straightServer.close();
    }
  });

  test('a kill inside a message: ended calls keep their results, the running one is interrupted, unstarted ones run', async ({ server, endure, home, repo }) => {
    const log = join(repo, 'appends.log');
    const waitForParentToDie = 'while kill -0 $PPID 2>/dev/null; do sleep 0.05; done';
    server.respondWith(
      planModel(
        [
          {
            toolCalls: [
              call('run_shell', { command: 'echo line-A >> appends.log' }),
              call('run_shell', { command: `echo line-B >> appends.log; ${waitForParentToDie}` }),
              call('read_file', { path: 'README.md' }),
              call('run_shell', { command: 'echo line-D >> appends.log' }),
            ],
          },
        ],
        'Appended A, B and D.',
      ),
    );
    const run = endure.exec(['append three lines']);
    await waitFor(() => lines(log).includes('line-B'), 'line-B in appends.log');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const id = sessionIds(home)[0]!;
    const before = journalOf(home, id).records;
    expect(before.filter((record) => record.kind === 'tool_end').map((r) => r.kind === 'tool_end' && r.callId)).toEqual(['call_0_0']);
    expect(before.at(-1)).toMatchObject({ kind: 'tool_start', callId: 'call_0_1', replayable: false });

    const resumed = await endure.exec(['--resume', 'last']).done;

    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe('Appended A, B and D.\n');
    expect(lines(log)).toEqual(['line-A', 'line-B', 'line-D']);
    const results = (server.requests.at(-1)!.body.messages as { role: string; tool_call_id?: string; content: string }[]).filter(
      (message) => message.role === 'tool',
    );
    expect(results.map((message) => message.tool_call_id)).toEqual(['call_0_0', 'call_0_1', 'call_0_2', 'call_0_3']);
    expect(results[0]!.content).toMatch(/^exit code: 0/);
    expect(results[1]!.content).toMatch(/interrupted.*effects are unknown/);
    expect(results[2]!.content).toContain('e2e workspace');
    expect(results[3]!.content).toMatch(/^exit code: 0/);
    const after = journalOf(home, id).records;
    const ends = after.filter((record) => record.kind === 'tool_end');
    expect(ends.map((r) => r.kind === 'tool_end' && [r.callId, r.outcome ?? 'ok'])).toEqual([
      ['call_0_0', 'ok'],
      ['call_0_1', 'interrupted'],
      ['call_0_2', 'ok'],
      ['call_0_3', 'ok'],
    ]);
    expect(JSON.stringify(after)).not.toContain('"callId":"call_0_0","name":"run_shell","isError":true');
    expect(foldRecords(after).toolCalls).toBe(4);
  });
});
