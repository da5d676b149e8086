/**
 * A model that never stops calling tools ends at the budget: exit code 3, a
 * json result with status "budget" and a message naming the flag to raise, in
 * a session long enough to compact on the way. Without any budget, the same
 * call repeated is stopped as a loop, so a session never runs away.
 */
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import { compactionRecords, loopRequests, textFiles, worker } from './support.js';

const FILES = textFiles(10, 2500);

describe('a model that never stops calling tools', () => {
  test('ends at --max-tool-calls with exit 3 and a clear message, after compacting on the way', async ({ server, endure, home, scratch }) => {
    server.respondWith(worker({ step: (k) => ({ toolCalls: [call('read_file', { path: `src/f${k % 10}.txt`, offset: 1 + (k % 3) })] }) }));
    const run = await endure.exec(['--context-window', '16384', '--max-tool-calls', '120', '--output-format', 'json', 'Read forever.'], { cwd: makeRepo(scratch, 'work', FILES) }).done;
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'budget', tool_calls: 120, turns: 120 });
    expect(result.error).toBe('reached the tool-call budget (120 calls); resume with a higher --max-tool-calls to go on');
    expect(run.stderr).toContain('reached the tool-call budget (120 calls); resume with a higher --max-tool-calls to go on');
    expect(loopRequests(server.requests)).toHaveLength(120);
    const { records } = journalOf(home, sessionIds(home)[0]!);
    expect(compactionRecords(records).length).toBeGreaterThanOrEqual(2);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'budget' });
  });

  test('with no budget at all, the same call over and over is stopped as a loop (exit 3)', async ({ server, endure, home }) => {
    server.respondWith(worker({ step: () => ({ toolCalls: [call('list_dir', { path: '.' })] }) }));
    const run = await endure.exec(['--output-format', 'json', 'List forever.']).done;
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'budget', tool_calls: 5 });
    expect(result.error).toMatch(/^the model made the same call 5 times in a row \(list_dir \{"path":"\."\}\); stopped as a loop$/);
    expect(journalOf(home, sessionIds(home)[0]!).records.at(-1)).toMatchObject({ kind: 'end', status: 'budget' });
  });
});
