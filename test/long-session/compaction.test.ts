/**
 * Compaction at the threshold, with the real CLI and a 16k-token window: a
 * session of many calls compacts (a `compaction` record, a request without
 * tools), and the message after the system prompt carries the original task
 * verbatim and the structured task state (the user's follow-up rules, done,
 * remaining, next step, files touched); the recent turns stay verbatim and the
 * session goes on to the end. A garbage compaction answer, or a compaction
 * request that keeps failing, falls back without losing the task state.
 */
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import type { ReceivedRequest, TurnStep } from '../support/scripted-server.js';
import { compactionAnswer, compactionRecords, isCompactionRequest, messagesOf, textFiles, worker } from './support.js';

const TASK = 'Read every file under src/ and keep a tally of the lines in notes.md.';
const RULE = 'Rule from the user: never touch README.md.';
const FILES = { ...textFiles(12, 2500), 'notes.md': 'tally=0\n' };

/** Reads the files over and over; every fifth step edits notes.md, every seventh writes a report. */
function readingPlan(steps: number): (k: number) => TurnStep | undefined {
  return (k) => {
    if (k >= steps) return undefined;
    if (k % 5 === 4) return { toolCalls: [call('edit_file', { path: 'notes.md', old_string: `tally=${(k - 4) / 5}`, new_string: `tally=${(k + 1) / 5}` })] };
    if (k % 7 === 6) return { toolCalls: [call('write_file', { path: `reports/r${k}.txt`, content: `report ${k}\n` })] };
    return { toolCalls: [call('read_file', { path: `src/f${k % 12}.txt` })] };
  };
}

describe('compaction at the threshold (16k window)', () => {
  test('compacts, keeps system prompt, task, rules, state and recent turns, and ends done', async ({ server, endure, home, scratch }) => {
    const repo = makeRepo(scratch, 'work', FILES);
    let compactions = 0;
    server.respondWith(
      worker({
        step: readingPlan(60),
        final: 'Tallied everything.',
        compaction: () => {
          compactions++;
          return compactionAnswer({ done: [`pass ${compactions} over the files`], remaining: ['the remaining files'], nextStep: `read file ${compactions}` });
        },
      }),
    );
    const first = await endure.exec(['--context-window', '16384', '--max-tool-calls', '3', TASK], { cwd: repo }).done;
    expect(first.code).toBe(3);
    const resumed = await endure.exec(['--context-window', '16384', '--resume', 'last', RULE], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('Tallied everything.\n');

    const { records } = journalOf(home, sessionIds(home)[0]!);
    const compactionsInJournal = compactionRecords(records);
    expect(compactionsInJournal.length).toBeGreaterThanOrEqual(2);
    expect(compactionsInJournal).toHaveLength(compactions);

    const requests = server.requests;
    const firstRequest = requests[0]!;
    const system = messagesOf(firstRequest)[0]!;
    const compactionAt = requests.findIndex(isCompactionRequest);
    const compactionRequest = requests[compactionAt]!;
    expect(compactionRequest.body.tools === undefined || compactionRequest.body.tool_choice === 'none').toBe(true);
    expect(compactionRequest.body.tool_choice === undefined || compactionRequest.body.tool_choice === 'none').toBe(true);
    // The request that keeps the main prefix: the loop's conversation, then a system note with the task state.
    expect(compactionRequest.body.tools).toEqual(firstRequest.body.tools);
    expect(messagesOf(compactionRequest).slice(0, -1)).toEqual(messagesOf(requests[compactionAt - 1]!).concat(messagesOf(compactionRequest).slice(messagesOf(requests[compactionAt - 1]!).length, -1)));
    expect(messagesOf(compactionRequest).at(-1)).toMatchObject({ role: 'system', content: expect.stringContaining(RULE) });

    const before = messagesOf(requests[compactionAt - 1]!);
    const after = messagesOf(requests[compactionAt + 1]!);
    expect(after[0]).toEqual(system);
    const summary = after[1]!;
    expect(summary.role).toBe('user');
    expect(summary.content).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
    expect(summary.content).toContain(`Rules and follow-ups the user gave:\n- ${RULE}\n`);
    expect(summary.content).toContain('Done:\n- pass 1 over the files\n');
    expect(summary.content).toContain('Remaining:\n- the remaining files\n');
    expect(summary.content).toContain('Next step: read file 1\n');
    expect(summary.content).toMatch(/\nFiles touched: notes\.md, reports\/r6\.txt(, reports\/r\d+\.txt)*\n/);
    expect(summary.content).toContain('Summary of the work so far:\n- Read and edited files as planned.');
    const kept = after.slice(2);
    expect(kept.length).toBeGreaterThan(4);
    expect(kept[0]!.role).not.toBe('tool');
    // The conversation compacted was the request before it, plus the answer to it and that call's result.
    expect(before.slice(-(kept.length - 2))).toEqual(kept.slice(0, -2));
    expect(kept.at(-1)).toMatchObject({ role: 'tool', tool_call_id: kept.at(-2)!.tool_calls![0]!.id });
    expect(after.length).toBeLessThan(before.length);

    const last = messagesOf(requests.at(-1)!);
    expect(last[0]).toEqual(system);
    expect(last[1]!.content).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
    expect(last[1]!.content).toContain(`- ${RULE}`);
    expect(last[1]!.content).toContain(`Done:\n- pass ${compactions} over the files\n`);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'done', result: 'Tallied everything.' });
  });

  test('a garbage compaction answer falls back to dropping old outputs and keeps the task state', async ({ server, endure, home, scratch }) => {
    const repo = makeRepo(scratch, 'work', FILES);
    let compactions = 0;
    server.respondWith(
      worker({
        step: readingPlan(45),
        compaction: () => {
          compactions++;
          if (compactions === 1) return compactionAnswer({ done: ['read f0-f5'], remaining: ['read f6-f11'], nextStep: 'read f6' });
          return { content: compactions === 2 ? 'Sure! I compacted it. <state>{not json' : '\u0000'.repeat(40) };
        },
      }),
    );
    const run = await endure.exec(['--context-window', '16384', TASK], { cwd: repo }).done;
    expect(run.code).toBe(0);
    expect(compactions).toBeGreaterThanOrEqual(3);
    expect(run.stderr).toContain('endure: warning: the compaction answer had no summary; dropped old tool outputs instead');

    const { records } = journalOf(home, sessionIds(home)[0]!);
    const [good, garbage] = compactionRecords(records);
    expect(good!.summary).toContain('Summary of the work so far:\n- Read and edited files as planned.');
    expect(garbage!.state).toEqual({ done: ['read f0-f5'], remaining: ['read f6-f11'], nextStep: 'read f6' });
    const afterGarbage = messagesOf(server.requests[requestIndexAfter(server.requests, 2)]!)[1]!.content;
    expect(afterGarbage).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
    expect(afterGarbage).toContain('Done:\n- read f0-f5\n\nRemaining:\n- read f6-f11\n\nNext step: read f6\n');
    expect(afterGarbage).toMatch(/\nFiles touched: notes\.md, reports\/r6\.txt/);
    expect(afterGarbage).toContain('The outputs of earlier tool calls were dropped to free context. Calls made, oldest first:\n');
    expect(afterGarbage).toMatch(/\n- read_file \{"path":"src\/f\d+\.txt"\}/);
    expect(afterGarbage).not.toContain('Sure! I compacted it.');
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'done' });
  });

  test('a compaction request that keeps failing (HTTP 500) falls back, and the session goes on', async ({ server, endure, home, scratch }) => {
    const repo = makeRepo(scratch, 'work', FILES);
    let failures = 0;
    server.respondWith(
      worker({
        step: readingPlan(30),
        final: 'Done despite the failures.',
        compaction: () => {
          failures++;
          return { type: 'http_error', status: 500, message: 'summariser crashed' };
        },
      }),
    );
    const run = await endure.exec(['--context-window', '16384', TASK], { cwd: repo, env: { ENDURE_RETRY_BUDGET_MS: '1000' } }).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Done despite the failures.\n');
    expect(run.stderr).toMatch(/endure: warning: the compaction request failed \(.*summariser crashed.*\); dropped old tool outputs instead/);
    const { records } = journalOf(home, sessionIds(home)[0]!);
    const compacted = compactionRecords(records);
    expect(compacted.length).toBeGreaterThanOrEqual(1);
    // Each compaction tried the request that keeps the prefix, then the dedicated one, each twice
    // (at 0 and after a 500 ms backoff) inside the 1 s budget.
    expect(failures).toBe(4 * compacted.length);
    expect(compacted[0]!.summary).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
    expect(compacted[0]!.summary).toContain('Calls made, oldest first:');
    expect(records.filter((record) => record.kind === 'error')).toEqual([]);
  });
});

/** Index of the first loop request after the n-th (1-based) compaction request. */
function requestIndexAfter(requests: readonly ReceivedRequest[], n: number): number {
  let seen = 0;
  for (let i = 0; i < requests.length; i++) if (isCompactionRequest(requests[i]!) && ++seen === n) return i + 1;
  throw new Error(`fewer than ${n} compaction requests`);
}
