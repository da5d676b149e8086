/**
 * A context overflow reported by the server, in each dialect's own error shape:
 * the loop compacts and retries the request once; an overflow again right after
 * that ends the run with exit 1 and a clear message, never a loop. The window
 * here comes from the server (/props or max_model_len), as it does by default.
 */
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import { DIALECT_NAMES, startScriptedServer, type ReceivedRequest, type Step } from '../support/scripted-server.js';
import { compactionRecords, isCompactionRequest, messagesOf, stepOf, textFiles, worker } from './support.js';

const TASK = 'Read the files one by one.';
const FILES = textFiles(8, 2500);
const OVERFLOW_AT = 10;

/** Reads files for `steps` steps; the request for step OVERFLOW_AT overflows `times` times in a row. */
function overflowingModel(steps: number, times: number): (request: ReceivedRequest) => Step {
  const work = worker({ step: (k) => (k < steps ? { toolCalls: [call('read_file', { path: `src/f${k % 8}.txt` })] } : undefined), final: 'Read them all.' });
  let overflows = 0;
  return (request) => {
    if (!isCompactionRequest(request) && stepOf(request) === OVERFLOW_AT && overflows < times) {
      overflows++;
      return { type: 'overflow' };
    }
    return work(request);
  };
}

describe('context overflow from the server', () => {
  test.for(DIALECT_NAMES)('%s: compacts, retries once, and goes on', async (dialect, { endure, home, scratch }) => {
    const repo = makeRepo(scratch, 'work', FILES);
    const server = await startScriptedServer({ dialect, keepRequests: 1000 });
    try {
      server.respondWith(overflowingModel(14, 1));
      const run = await endure.exec(['--server', dialect, TASK], { cwd: repo, baseUrl: server.url }).done;
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('Read them all.\n');

      const requests = server.requests;
      const overflowed = requests.findIndex((request) => !isCompactionRequest(request) && stepOf(request) === OVERFLOW_AT);
      expect(isCompactionRequest(requests[overflowed + 1]!)).toBe(true);
      const retried = requests[overflowed + 2]!;
      expect(stepOf(retried)).toBe(OVERFLOW_AT);
      expect(messagesOf(retried).length).toBeLessThan(messagesOf(requests[overflowed]!).length);
      expect(messagesOf(retried)[0]).toEqual(messagesOf(requests[0]!)[0]);
      expect(messagesOf(retried)[1]!.content).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
      expect(requests.filter(isCompactionRequest)).toHaveLength(1);
      expect(compactionRecords(journalOf(home, sessionIds(home)[0]!).records)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('a second overflow right after the compaction fails with exit 1 and a clear message', async ({ server, endure, home, scratch }) => {
    const repo = makeRepo(scratch, 'work', FILES);
    server.respondWith(overflowingModel(14, 2));
    const run = await endure.exec(['--output-format', 'json', TASK], { cwd: repo }).done;
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/the request does not fit the model's context window of 32768 tokens .*; compact the conversation or give the server a larger context/);
    expect(run.stderr).toMatch(/^endure: error: the request does not fit the model's context window/m);

    const kinds = server.requests.map((request) => (isCompactionRequest(request) ? 'compaction' : `step ${stepOf(request)}`));
    expect(kinds.slice(OVERFLOW_AT)).toEqual([`step ${OVERFLOW_AT}`, 'compaction', `step ${OVERFLOW_AT}`]);
    const { records } = journalOf(home, sessionIds(home)[0]!);
    expect(compactionRecords(records)).toHaveLength(1);
    expect(records.at(-2)).toMatchObject({ kind: 'error', code: 'context_overflow' });
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'failed' });
  });
});
