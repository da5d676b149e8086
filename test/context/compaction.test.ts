/**
 * The compactor in-process against the scripted server over real HTTP: what the
 * compaction request carries (no tools, the dedicated prompt, the task state, a
 * bounded transcript), what the record holds, and the fallbacks (a summary too
 * long, an answer without a summary, a state block that is not JSON). Also the
 * fold of a compaction record, which resume replays.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { compact, keepFrom, renderTaskState, type CompactorOptions } from '../../src/agent/compactor.js';
import { applyRecord, foldRecords, type ConversationState } from '../../src/agent/fold.js';
import { COMPACTION_SYSTEM_PROMPT, parseCompactionAnswer, renderTranscript } from '../../src/context/compaction-prompt.js';
import { TokenEstimator } from '../../src/context/tokens.js';
import { createModelClient } from '../../src/model/client.js';
import type { JournalRecord, RecordBody } from '../../sessions/records.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const TASK = 'Fix the failing parser tests.';

/** A journal of `turns` read/edit turns after the task and one follow-up rule. */
function journal(turns: number, outputChars = 2000): JournalRecord[] {
  const bodies: RecordBody[] = [
    {
      kind: 'session_start', sessionId: 's1', version: '0', task: TASK, cwd: '/w', workspace: '/w',
      endpoint: { baseURL: 'http://x/v1', server: 'llama', model: 'm' }, sandbox: 'host', thinking: true,
      systemPrompt: 'You are endure.', tools: ['read_file', 'edit_file'], settings: {},
    },
    { kind: 'user', content: TASK },
  ];
  for (let k = 0; k < turns; k++) {
    if (k === 1) bodies.push({ kind: 'user', content: 'Do not touch the lexer.' });
    const edit = k % 3 === 2;
    const id = `c${k}`;
    const name = edit ? 'edit_file' : 'read_file';
    const args = edit ? { path: `src/p${k}.ts`, old_string: 'a', new_string: 'b' } : { path: `src/p${k}.ts` };
    bodies.push({ kind: 'assistant', turn: k + 1, content: '', toolCalls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }], finish: 'tool_calls' });
    bodies.push({ kind: 'tool_start', callId: id, name, replayable: !edit });
    bodies.push({ kind: 'tool_end', callId: id, name, isError: false, content: `output ${k} `.repeat(outputChars / 10).slice(0, outputChars), durationMs: 1 });
  }
  return bodies.map((body, i) => ({ seq: i + 1, t: 1_700_000_000_000 + i, ...body }) as JournalRecord);
}

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer({ keepRequests: 50 });
});
afterEach(async () => {
  await server.close();
});

async function options(contextWindow = 16_384): Promise<CompactorOptions> {
  const model = await createModelClient({ baseURL: server.url, server: 'llama', thinking: false, retryBudgetMs: 0 });
  return { model, estimator: new TokenEstimator(), contextWindow, threshold: 0.8, signal: new AbortController().signal };
}

function stateOf(records: JournalRecord[]): ConversationState {
  return foldRecords(records);
}

describe('compact()', () => {
  test('asks without tools, with the dedicated prompt, the task state and a bounded transcript', async () => {
    const records = journal(30);
    const state = stateOf(records);
    server.enqueue({ content: '<summary>\n- read p0-p20\n</summary>\n<state>{"done":["read p0-p20"],"remaining":["fix p21"],"nextStep":"edit p21"}</state>' });
    const outcome = (await compact(state, await options()))!;
    const request = server.requests[0]!;
    expect(request.body.tools).toBeUndefined();
    expect(request.body.tool_choice).toBeUndefined();
    expect(request.body.messages[0]).toEqual({ role: 'system', content: COMPACTION_SYSTEM_PROMPT });
    const asked = request.body.messages[1].content as string;
    expect(asked).toContain(`Goal (the original task, verbatim):\n${TASK}\n`);
    expect(asked).toContain('Rules and follow-ups the user gave:\n- Do not touch the lexer.');
    expect(asked).toContain('CALL read_file {"path":"src/p0.ts"}');
    expect(asked).toMatch(/RESULT: (output 0 )+output \[\.\.\. 1200 more characters\]\n/);

    expect(outcome.usedFallback).toBe(false);
    expect(outcome.warning).toBeUndefined();
    expect(outcome.record.state).toEqual({ done: ['read p0-p20'], remaining: ['fix p21'], nextStep: 'edit p21' });
    expect(outcome.record.summary).toContain('Files touched: src/p2.ts, src/p5.ts');
    expect(outcome.record.summary).toContain('Summary of the work so far:\n- read p0-p20');

    const before = state.messages.length;
    applyRecord(state, { seq: records.length + 1, t: 0, ...outcome.record });
    expect(state.messages.length).toBe(before - outcome.droppedMessages + 1);
    expect(state.messages[0]).toEqual({ role: 'system', content: 'You are endure.' });
    expect(state.messages[1]!.content).toContain('Next step: edit p21');
    expect(state.messages[2]!.role).toBe('assistant');
    expect(state.taskState.rules).toEqual(['Do not touch the lexer.']);
    // Resume folds the same records to the same conversation.
    const resumed = foldRecords([...records, { seq: records.length + 1, t: 0, ...outcome.record } as JournalRecord]);
    expect(resumed.messages).toEqual(state.messages);
    expect(resumed.taskState).toEqual(state.taskState);
  });

  test('a summary longer than its share of the window falls back to the list of calls', async () => {
    const state = stateOf(journal(30));
    server.enqueue({ content: `<summary>\n${'a very long summary line\n'.repeat(2000)}</summary>\n<state>{"done":["x"],"remaining":["y"],"nextStep":"z"}</state>` });
    const outcome = (await compact(state, await options()))!;
    expect(outcome.usedFallback).toBe(true);
    expect(outcome.warning).toBe('the compaction summary was too long; dropped old tool outputs instead');
    expect(outcome.record.summary).toContain('Calls made, oldest first:\n- read_file {"path":"src/p0.ts"}');
    expect(outcome.record.summary).not.toContain('a very long summary line');
    expect(outcome.record.state).toEqual({ done: ['x'], remaining: ['y'], nextStep: 'z' });
  });

  test('a failed request falls back and keeps the state the previous compaction left', async () => {
    const state = stateOf(journal(30));
    Object.assign(state.taskState, { done: ['earlier work'], remaining: ['later work'], nextStep: 'the next thing' });
    server.enqueue({ type: 'http_error', status: 500, message: 'boom' });
    const outcome = (await compact(state, await options()))!;
    expect(outcome.usedFallback).toBe(true);
    expect(outcome.warning).toMatch(/^the compaction request failed \(.*boom.*\); dropped old tool outputs instead$/);
    expect(outcome.record.state).toEqual({ done: ['earlier work'], remaining: ['later work'], nextStep: 'the next thing' });
    expect(outcome.record.summary).toContain(`Goal (the original task, verbatim):\n${TASK}`);
  });

  test('nothing to compact before the first turn: undefined, and no request', async () => {
    const state = stateOf(journal(0));
    expect(await compact(state, await options())).toBeUndefined();
    expect(server.requestCount).toBe(0);
  });

  test('no summary request over the window: the prefix-keeping one only when the conversation and its note fit, the dedicated one cut to the room left', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'read_file', description: 'read', parameters: { type: 'object', properties: {} } } }];
    const state = stateOf(journal(30));
    const answer = { content: '<summary>\n- short\n</summary>' };
    // The conversation fits with room for the note: the request keeps the main prefix (tools, tool_choice none).
    server.enqueue(answer);
    await compact(state, { ...(await options(16_384)), tools, requestTokens: 10_000 });
    expect(server.requests[0]!.body.tool_choice).toBe('none');
    // At the window's edge, the note would push it over: the dedicated request goes instead, within the window.
    server.enqueue(answer);
    const edge = await options(16_384);
    await compact(state, { ...edge, tools, requestTokens: 16_300 });
    const dedicated = server.requests[1]!;
    expect(dedicated.body.tools).toBeUndefined();
    expect(edge.estimator.tokensFor(JSON.stringify(dedicated.body.messages).length)).toBeLessThan(16_384);

    // A task state that leaves no room for a transcript: no request at all, the fallback summary says why.
    const huge = stateOf(journal(30));
    huge.taskState.rules.push('x '.repeat(30_000));
    const outcome = (await compact(huge, { ...(await options(16_384)), tools, requestTokens: 30_000 }))!;
    expect(server.requestCount).toBe(2);
    expect(outcome.usedFallback).toBe(true);
    expect(outcome.warning).toBe('the task state (the task and your messages, kept verbatim) leaves no room in the context window for a summary request; dropped old tool outputs instead');
  });

  test('keeps at most half of the history, even when the window is far from full', async () => {
    const state = stateOf(journal(12));
    server.enqueue({ content: '<summary>\n- short\n</summary>' });
    const outcome = (await compact(state, await options(1_000_000)))!;
    expect(outcome.droppedMessages).toBeGreaterThan(state.messages.length / 3);
  });
});

describe('keepFrom', () => {
  test('never starts the kept part at a tool result', () => {
    const state = stateOf(journal(20, 500));
    for (let keep = 0; keep < 12_000; keep += 250) {
      const boundary = keepFrom(state.messages, keep);
      if (boundary < state.messages.length) expect(state.messages[boundary]!.role).not.toBe('tool');
      expect(boundary).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('parseCompactionAnswer', () => {
  test('reads what it can and leaves out the rest', () => {
    expect(parseCompactionAnswer('no tags at all')).toEqual({});
    expect(parseCompactionAnswer('<summary>  only this  ')).toEqual({ summary: 'only this' });
    expect(parseCompactionAnswer('<summary>s</summary><state>{broken')).toEqual({ summary: 's' });
    expect(parseCompactionAnswer('<state>{"done":["a",3,"b"],"remaining":"not a list","nextStep":7}</state>')).toEqual({ state: { done: ['a', 'b'] } });
  });
});

describe('renderTranscript', () => {
  test('stays within its budget, keeping the latest part', () => {
    const state = stateOf(journal(40));
    const text = renderTranscript(state.messages.slice(1), 5000);
    expect(text.length).toBeLessThanOrEqual(5000 + '[... earliest part left out ...]\n'.length);
    expect(text.startsWith('[... earliest part left out ...]\n')).toBe(true);
    expect(text).toContain('CALL read_file {"path":"src/p39.ts"}');
  });
});

describe('renderTaskState', () => {
  test('names the latest 40 files touched and counts the rest, so the state stays bounded', () => {
    const files = Array.from({ length: 5000 }, (_, i) => `gen/file-${i}.ts`);
    const text = renderTaskState({ goal: TASK, rules: [], done: [], remaining: [], nextStep: '', filesTouched: files });
    expect(text).toContain(`Files touched: gen/file-4960.ts, gen/file-4961.ts`);
    expect(text).toMatch(/gen\/file-4999\.ts \(and 4960 earlier files\)$/);
    expect(text.length).toBeLessThan(1500);
  });
});
