/**
 * Resume after a compaction, with the real CLI: a session stopped by a budget
 * after its first compaction, or killed (SIGKILL) while the first request after
 * a compaction is in flight, resumes with `exec --resume last` and sends first
 * the very bytes the uninterrupted run sent at that point, then ends the same.
 */
import { describe, expect } from 'vitest';
import { call, e2eTest as test, hangOnce, journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import type { ReceivedRequest, TurnStep } from '../support/scripted-server.js';
import { compactionRecords, isCompactionRequest, loopRequests, stepOf, textFiles, worker } from './support.js';

const TASK = 'Read the sources and log what you find.';
const FILES = { ...textFiles(10, 2500), 'log.md': 'entries=0\n' };
const WINDOW = ['--context-window', '16384'];
const STEPS = 45;

function plan(k: number): TurnStep | undefined {
  if (k >= STEPS) return undefined;
  if (k % 6 === 5) return { toolCalls: [call('edit_file', { path: 'log.md', old_string: `entries=${(k - 5) / 6}`, new_string: `entries=${(k + 1) / 6}` })] };
  return { toolCalls: [call('read_file', { path: `src/f${k % 10}.txt` })] };
}

const model = () => worker({ step: plan, final: 'Logged everything.' });

describe('resume after a compaction', () => {
  test('stopped by a budget after a compaction: the resumed run sends the same bytes as the uninterrupted one', async ({ server, endure, home, scratch }) => {
    server.respondWith(model());
    const straightHome = `${scratch}/straight-home`;
    const straight = await endure.exec([...WINDOW, TASK], { home: straightHome, cwd: makeRepo(scratch, 'straight', FILES) }).done;
    expect(straight.code).toBe(0);
    const straightRequests = server.requests.map((request) => request.raw);
    const firstCompaction = server.requests.findIndex(isCompactionRequest);
    expect(firstCompaction).toBeGreaterThan(0);
    // Stop two steps after the first compaction.
    const stopAfterCalls = stepOf(server.requests[firstCompaction + 1]!) + 2;

    const from = server.requestCount;
    const repo = makeRepo(scratch, 'stopped', FILES);
    const stopped = await endure.exec([...WINDOW, '--max-tool-calls', String(stopAfterCalls), TASK], { cwd: repo }).done;
    expect(stopped.code).toBe(3);
    expect(compactionRecords(journalOf(home, sessionIds(home)[0]!).records)).toHaveLength(1);
    const resumeFrom = server.requestCount - from;
    const resumed = await endure.exec([...WINDOW, '--resume', 'last'], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('Logged everything.\n');

    const stoppedAndResumed = server.requests.slice(from).map((request) => request.raw);
    expect(stoppedAndResumed[resumeFrom]).toBe(straightRequests[resumeFrom]);
    expect(stoppedAndResumed).toEqual(straightRequests);
    const summaries = [straightHome, home].map((at) => compactionRecords(journalOf(at, sessionIds(at)[0]!).records).map((record) => record.summary));
    expect(summaries[1]).toEqual(summaries[0]);
  });

  test('killed while the first request after a compaction was in flight: the resumed run sends it again, byte for byte', async ({ server, endure, home, scratch }) => {
    server.respondWith(model());
    const straightHome = `${scratch}/straight-home`;
    expect((await endure.exec([...WINDOW, TASK], { home: straightHome, cwd: makeRepo(scratch, 'straight', FILES) }).done).code).toBe(0);
    const straight = loopRequests(server.requests).map((request) => request.raw);

    const repo = makeRepo(scratch, 'killed', FILES);
    const from = server.requestCount;
    let compacted = false;
    let inFlight: ReceivedRequest | undefined;
    const work = model();
    const killed = endure.exec([...WINDOW, TASK], { cwd: repo });
    const hang = hangOnce((request) => (inFlight = request), { content: 'unused' });
    server.respondWith((request) => {
      if (isCompactionRequest(request)) compacted = true;
      else if (compacted && !inFlight) {
        const step = hang(request);
        killed.child.kill('SIGKILL');
        return step;
      }
      return work(request);
    });
    expect((await killed.done).signal).toBe('SIGKILL');
    expect(inFlight).toBeDefined();

    server.respondWith(work);
    const resumeAt = server.requestCount;
    const resumed = await endure.exec([...WINDOW, '--resume', 'last'], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    const firstAfterResume = server.requests[resumeAt]!;
    expect(firstAfterResume.raw).toBe(inFlight!.raw);
    expect(straight).toContain(firstAfterResume.raw);
    expect(loopRequests(server.requests.slice(from)).map((request) => request.raw).filter((raw, i, all) => all.indexOf(raw) === i)).toEqual(straight);
    expect(journalOf(home, sessionIds(home)[0]!).records.at(-1)).toMatchObject({ kind: 'end', status: 'done', result: 'Logged everything.' });
  });
});
