/**
 * The fold of journal records into the conversation: what resume relies on.
 */
import { describe, expect, test } from 'vitest';
import { foldRecords } from '../../src/agent/fold.js';
import type { JournalRecord, RecordBody } from '../../sessions/records.js';

function records(...bodies: RecordBody[]): JournalRecord[] {
  return bodies.map((body, index) => ({ seq: index + 1, t: 1000 + index, ...body }) as JournalRecord);
}

const start: RecordBody = {
  kind: 'session_start', sessionId: 's1', version: '0', task: 'fix it', cwd: '/w', workspace: '/w',
  endpoint: { baseURL: 'http://x/v1', server: 'llama', model: 'm' }, sandbox: 'host', thinking: true,
  systemPrompt: 'SYSTEM', tools: [], settings: {},
};
const call = (id: string, name: string, args: object) => ({ id, type: 'function' as const, function: { name, arguments: JSON.stringify(args) } });

describe('fold', () => {
  test('rebuilds the conversation, keeping tool results in call order whatever order they ended in', () => {
    const state = foldRecords(records(
      start,
      { kind: 'user', content: 'fix it' },
      { kind: 'assistant', turn: 1, content: '', reasoning: 'look', toolCalls: [call('a', 'read_file', { path: 'x' }), call('b', 'glob', { pattern: '*' })], finish: 'tool_calls', usage: { promptTokens: 100, completionTokens: 10, cachedTokens: 60 } },
      { kind: 'tool_start', callId: 'a', name: 'read_file', replayable: true },
      { kind: 'tool_start', callId: 'b', name: 'glob', replayable: true },
      { kind: 'tool_end', callId: 'b', name: 'glob', isError: false, content: 'x', durationMs: 1 },
      { kind: 'tool_end', callId: 'a', name: 'read_file', isError: false, content: '1\thello', durationMs: 1 },
    ));
    expect(state.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool']);
    expect(state.messages.slice(3)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: '1\thello' },
      { role: 'tool', tool_call_id: 'b', content: 'x' },
    ]);
    expect(state.openCalls).toEqual([]);
    expect(state).toMatchObject({ turns: 1, toolCalls: 2, usage: { promptTokens: 100, completionTokens: 10, cachedTokens: 60 } });
  });

  test('open calls after a crash carry whether they started and may run again', () => {
    const state = foldRecords(records(
      start,
      { kind: 'user', content: 'fix it' },
      { kind: 'assistant', turn: 1, content: '', toolCalls: [call('a', 'run_shell', { command: 'make' }), call('b', 'read_file', { path: 'x' })], argumentErrors: {}, finish: 'tool_calls' },
      { kind: 'tool_start', callId: 'a', name: 'run_shell', replayable: false },
    ));
    expect(state.openCalls.map((open) => [open.call.id, open.started, open.replayable])).toEqual([['a', true, false], ['b', false, false]]);
    expect(state.messages).toHaveLength(3);
  });

  test('a compaction replaces the range it names with its summary and keeps what follows', () => {
    const state = foldRecords(records(
      start,
      { kind: 'user', content: 'fix it' },
      { kind: 'assistant', turn: 1, content: 'early', finish: 'stop' },
      { kind: 'user', content: 'also keep the API stable' },
      { kind: 'assistant', turn: 2, content: 'late', finish: 'stop' },
      { kind: 'compaction', summary: 'SUMMARY', throughSeq: 3, state: { done: ['a'], remaining: ['b'], nextStep: 'c' } },
    ));
    expect(state.messages.map((m) => m.content)).toEqual(['SYSTEM', expect.stringContaining('SUMMARY'), 'also keep the API stable', 'late']);
    expect(state.taskState).toMatchObject({ goal: 'fix it', rules: ['also keep the API stable'], done: ['a'], remaining: ['b'], nextStep: 'c' });
    expect(state.compactions).toBe(1);
  });

  test('a compaction at once after another drops the earlier summary with the messages it kept', () => {
    const state = foldRecords(records(
      start,
      { kind: 'user', content: 'fix it' },
      { kind: 'assistant', turn: 1, content: 'one', finish: 'stop' },
      { kind: 'user', content: 'two' },
      { kind: 'assistant', turn: 2, content: 'three', finish: 'stop' },
      { kind: 'user', content: 'four' },
      { kind: 'compaction', summary: 'FIRST', throughSeq: 3 },
      // Compacting harder: the first summary and 'two' (kept by the first) go, 'three' and 'four' stay.
      { kind: 'compaction', summary: 'SECOND', throughSeq: 4 },
    ));
    expect(state.messages.map((m) => m.content)).toEqual(['SYSTEM', expect.stringContaining('SECOND'), 'three', 'four']);
    expect(state.messageSeqs).toEqual([8, 4, 5, 6]);
  });

  test('files touched by edits are tracked for the task state', () => {
    const state = foldRecords(records(
      start,
      { kind: 'user', content: 'fix it' },
      { kind: 'assistant', turn: 1, content: '', toolCalls: [call('a', 'edit_file', { path: 'src/a.ts' }), call('b', 'write_file', { path: 'src/b.ts' }), call('c', 'read_file', { path: 'src/c.ts' })], finish: 'tool_calls' },
    ));
    expect(state.taskState.filesTouched).toEqual(['src/a.ts', 'src/b.ts']);
  });

  test('a session opened without a task takes its first message as the task', () => {
    const state = foldRecords(records({ ...start, task: '' } as RecordBody, { kind: 'user', content: 'typed task' }));
    expect(state.task).toBe('typed task');
    expect(state.taskState).toMatchObject({ goal: 'typed task', rules: [] });
  });
});
