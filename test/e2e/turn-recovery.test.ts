/**
 * Turns that a real llama-server ends badly, with the real CLI: an answer cut at
 * the output limit (`finish_reason: "length"`), the mid-stream peg-format error
 * after a 200, a window smaller than endure's own first request, and a resume
 * stopped by its budget before the model was called.
 */
import { describe, expect } from 'vitest';
import { PEG_FORMAT_ERROR, startScriptedServer, type ReceivedRequest } from '../support/scripted-server.js';
import { call, e2eTest as test, journalOf, makeRepo, planModel, sessionIds } from '../support/e2e-fixtures.js';
import { compactionAnswer, compactionRecords, textFiles, worker } from '../long-session/support.js';


const LENGTH_NOTE = 'Your answer was cut off at the output token limit. Continue exactly where it stopped, without repeating what you already wrote.';

function roles(request: ReceivedRequest): string[] {
  return (request.body.messages as { role: string }[]).map((message) => message.role);
}

describe('turn recovery', { timeout: 120_000 }, () => {
  test('an answer cut at the output limit is continued, and the pieces are the answer', async ({ server, endure, home }) => {
    server.enqueue({ content: 'The first half,', finish: 'length' }, { content: ' and the second half.' });
    const run = await endure.exec(['--output-format', 'json', 'explain']).done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done', result: 'The first half, and the second half.' });
    const messages = server.requests[1]!.body.messages as { role: string; content: string }[];
    expect(messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'The first half,' },
      { role: 'user', content: LENGTH_NOTE },
    ]);
    expect(run.stderr).toContain('the answer was cut at the output limit; asking the model to continue (1 of 3)');
    const records = journalOf(home, sessionIds(home)[0]!).records;
    expect(records.find((record) => record.kind === 'user' && record.origin === 'endure')).toBeDefined();
  });

  test('an answer cut four times in a row ends the run failed, saying why', async ({ server, endure }) => {
    server.respondWith(() => ({ content: 'Still going', finish: 'length' }));
    const run = await endure.exec(['--output-format', 'json', 'explain']).done;
    expect(run.code).toBe(1);
    expect(server.requestCount).toBe(4);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/cut at the output limit 4 times in a row \(finish_reason "length"\); raise max_tokens/);
  });

  test('the peg-format error after a 200 retries the whole turn cooler, keeps the partial output out of the conversation', async ({ server, endure, home }) => {
    const broken = { type: 'stream_error' as const, afterChunks: 4, message: PEG_FORMAT_ERROR, turn: { content: 'Let me call <tool_call><function=read_file> broken markup' } };
    server.enqueue(broken, broken, { toolCalls: [{ name: 'list_dir', arguments: { path: '.' }, id: 'call_a' }] }, { content: 'Listed.' });
    const run = await endure.exec(['list the files']).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Listed.\n');
    expect(run.stderr).toMatch(/retrying the model request \(attempt 1; the \d+ characters shown of the failed answer are discarded\).*peg-native format/);
    const temperatures = server.requests.slice(0, 3).map((request) => request.body.temperature as number);
    expect(temperatures[1]).toBeCloseTo(temperatures[0]! / 2, 3);
    expect(temperatures[2]).toBeCloseTo(temperatures[0]! / 4, 3);
    // The retries sent the same conversation: nothing of the broken attempts went in.
    expect(server.requests[1]!.body.messages).toEqual(server.requests[0]!.body.messages);
    const records = journalOf(home, sessionIds(home)[0]!).records;
    expect(JSON.stringify(records)).not.toContain('broken markup');
  });

  test('six peg-format errors in a row end the run with one line quoting the server', async ({ server, endure }) => {
    server.respondWith(() => ({ type: 'stream_error', afterChunks: 4, message: PEG_FORMAT_ERROR, turn: { content: 'Some text before it broke down.' } }));
    const run = await endure.exec(['list the files']).done;
    expect(run.code).toBe(1);
    expect(server.requestCount).toBe(6);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/the turn failed 6 times in a row; last: .*"The model produced output that does not match the expected peg-native format"/);
  });

  test('a window smaller than endure\'s own first request: nothing is sent, one line says what does not fit', async ({ endure }) => {
    const small = await startScriptedServer({ contextWindow: 2048, llama: {} });
    try {
      small.respondWith(() => ({ content: 'never' }));
      const run = await endure.exec(['hello'], { baseUrl: small.url }).done;
      expect(run.code).toBe(1);
      expect(small.requestCount).toBe(0);
      expect(run.stderr).toMatch(/endure's own first request \(system prompt and \d+ tool schemas\) is about \d+ tokens, over the model's 2048-token context window; not sent/);
    } finally {
      await small.close();
    }
  });

  test('a compaction that leaves the request over the window: nothing over the window is sent, the run fails in one line', async ({ endure, home, scratch }) => {
    // A follow-up pasted into a resume is kept verbatim through compactions (a rule of the task
    // state): compacting everything else away cannot bring the request under the window. The summary
    // requests are not sent over the window either (no room is left for one: the summary falls back).
    const window = 12_000;
    const small = await startScriptedServer({ contextWindow: window, llama: {} });
    try {
      const repo = makeRepo(scratch, 'work', textFiles(4, 2500));
      small.respondWith(worker({ step: (k) => (k < 4 ? { toolCalls: [call('read_file', { path: `src/f${k}.txt` })] } : undefined), final: 'Read them.' }));
      const first = await endure.exec(['--output-format', 'json', 'read the four files'], { baseUrl: small.url, cwd: repo }).done;
      expect(first.code, first.stderr).toBe(0);
      const id = JSON.parse(first.stdout).session_id as string;
      const sentBefore = small.requestCount;

      const pasted = Array.from({ length: 600 }, (_, i) => `log line ${i}: the build step finished with a warning about the cache`).join('\n');
      const run = await endure.exec(['--output-format', 'json', '--resume', id, `here is the build log:\n${pasted}`], { baseUrl: small.url, cwd: repo }).done;
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ status: 'failed', session_id: id });
      expect(result.error).toMatch(new RegExp(`^the request is still about \\d+ tokens after compacting, over the model's ${window}-token context window; not sent: .*send shorter messages$`));
      expect(result.error).not.toContain('\n');
      expect(run.stderr.trim().split('\n').filter((line) => line.startsWith('endure: error:'))).toEqual([`endure: error: ${result.error}`]);
      // It compacted (the reads are gone) before giving up.
      expect(compactionRecords(journalOf(home, id).records).length).toBeGreaterThan(0);
      expect(run.stderr).toContain('leaves no room in the context window for a summary request; dropped old tool outputs instead');
      // Every request the server got fitted its window: none was answered exceed_context_size_error,
      // and the loop's request that would not fit was never sent.
      expect(small.kv!.log).toHaveLength(small.requestCount);
      expect(small.requests.slice(sentBefore).every((request) => request.body.tool_choice === 'none' || request.body.tools === undefined)).toBe(true);
    } finally {
      await small.close();
    }
  });

  test('a compaction that leaves the request over the window compacts harder (fewer recent turns kept) and the session goes on', async ({ endure, home, scratch }) => {
    // A long task (kept verbatim in the summary) and a long summary: keeping the last 30 % of the
    // window's turns leaves the request over the window; keeping half as many brings it under.
    const window = 12_000;
    const small = await startScriptedServer({ contextWindow: window, llama: {} });
    try {
      const repo = makeRepo(scratch, 'work', textFiles(10, 2500));
      const summary = Array.from({ length: 90 }, (_, i) => `- step ${i}: read a file and noted what it holds`).join('\n');
      small.respondWith(
        worker({
          step: (k) => (k < 10 ? { toolCalls: [call('read_file', { path: `src/f${k}.txt` })] } : undefined),
          final: 'Read them.',
          compaction: () => compactionAnswer({ done: ['read files'], remaining: ['the rest'], nextStep: 'go on' }, summary),
        }),
      );
      const rules = Array.from({ length: 300 }, (_, i) => `rule ${i}: keep the build green and the cache warm`).join('\n');
      const run = await endure.exec(['--output-format', 'json', `read the files. ${rules}`], { baseUrl: small.url, cwd: repo }).done;
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ status: 'done', result: 'Read them.', tool_calls: 10 });
      // Two compactions with no turn between them: the first left it over the window, the second kept less.
      const records = journalOf(home, result.session_id).records;
      const harder = records.findIndex((record, i) => record.kind === 'compaction' && records.slice(0, i).findLast((r) => r.kind === 'compaction' || r.kind === 'assistant')?.kind === 'compaction');
      expect(harder).toBeGreaterThan(0);
      // Nothing over the window reached the server.
      expect(small.kv!.log).toHaveLength(small.requestCount);
    } finally {
      await small.close();
    }
  });

  test('a resume its budget stops before the model is called adds no user message', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }, { toolCalls: [call('read_file', { path: 'README.md' })] }], 'Done.'));
    expect((await endure.exec(['--max-turns', '1', 'look around']).done).code).toBe(3);
    const id = sessionIds(home)[0]!;
    const requests = server.requestCount;
    const stopped = await endure.exec(['--resume', id, '--max-turns', '1', 'and count the files']).done;
    expect(stopped.code).toBe(3);
    expect(server.requestCount).toBe(requests);
    expect(stopped.stderr).toContain('the new message was not added');
    const users = journalOf(home, id).records.filter((record) => record.kind === 'user');
    expect(users).toHaveLength(1);

    const resumed = await endure.exec(['--resume', id, 'and count the files']).done;
    expect(resumed.code).toBe(0);
    const sent = roles(server.requests.at(-1)!);
    expect(sent.some((role, i) => role === 'user' && sent[i + 1] === 'user')).toBe(false);
  });
});
