import { describe, expect, test } from 'vitest';
import type { AgentEvent, AgentEventBody } from '../../src/agent/events.js';
import { appendTo, emptyLog, windowOf } from '../../src/ui/append-log.js';
import { editDiff } from '../../src/ui/edit-diff.js';
import type { FinishedItem } from '../../src/ui/finished-item.js';
import { appendTail, firstLines, formatDuration, formatTokens } from '../../src/ui/format.js';
import { EMPTY_LINE, editLine } from '../../src/ui/line-editor.js';
import { initialViewState, LIVE_TAIL_CHARS, reduceEvent, type ViewState } from '../../src/ui/state.js';
import type { Key } from 'ink';

const info = { sessionId: 's1', model: 'qwen3', server: 'vllm', sandbox: 'bwrap', workspace: '/w', budgets: {} };

function fold(bodies: AgentEventBody[], state: ViewState = initialViewState(info)): ViewState {
  let seq = 0;
  return bodies.reduce((current, body) => reduceEvent(current, { session: 's1', turn: 1, seq: ++seq, time: 1000 + seq, ...body } as AgentEvent), state);
}

function items(state: ViewState): FinishedItem[] {
  return windowOf(state.finished).slice(0);
}

const key = (overrides: Partial<Key> = {}): Key =>
  ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...overrides }) as Key;

describe('view state reducer', () => {
  test('messages, answers and tool calls become finished items in order; the live turn empties', () => {
    const state = fold([
      { type: 'user_message', content: 'fix it' },
      { type: 'turn_start' },
      { type: 'reasoning_delta', text: 'Let me look.' },
      { type: 'content_delta', text: 'Reading.' },
      { type: 'assistant_message', content: 'Reading.', reasoning: 'Let me look.', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' }] },
      { type: 'tool_start', callId: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' },
    ]);
    expect(state.live.tools.map((tool) => tool.summary)).toEqual(['read_file a.ts']);
    const done = fold([{ type: 'tool_end', callId: 'c1', name: 'read_file', isError: false, content: 'a\nb\nc\nd\ne\n', durationMs: 5 }], state);
    expect(items(done).map((item) => item.kind)).toEqual(['user', 'reasoning', 'answer', 'tool']);
    expect(items(done).map((item) => item.key)).toEqual([0, 1, 2, 3]);
    const tool = items(done)[3];
    expect(tool).toMatchObject({ kind: 'tool', summary: 'read_file a.ts', status: 'done', preview: ['a', 'b', 'c'], moreLines: 2 });
    expect(done.live.tools).toEqual([]);
    expect(done.status.toolCalls).toBe(1);
    expect(done.lastResult?.content).toBe('a\nb\nc\nd\ne\n');
  });

  test('streamed text keeps a bounded tail and counts every character', () => {
    const deltas: AgentEventBody[] = Array.from({ length: 500 }, () => ({ type: 'reasoning_delta', text: 'x'.repeat(50) }));
    const state = fold(deltas);
    expect(state.live.reasoningChars).toBe(25_000);
    expect(state.live.reasoning.length).toBe(LIVE_TAIL_CHARS);
  });

  test('an edit shows a diff built from its arguments; a failed edit shows none', () => {
    const args = JSON.stringify({ path: 'src/a.ts', old_string: 'const a = 1;\n', new_string: 'const a = 2;\n' });
    const state = fold([
      { type: 'tool_start', callId: 'e1', name: 'edit_file', arguments: args },
      { type: 'tool_end', callId: 'e1', name: 'edit_file', isError: false, content: 'edited', durationMs: 3 },
      { type: 'tool_start', callId: 'e2', name: 'edit_file', arguments: args },
      { type: 'tool_end', callId: 'e2', name: 'edit_file', isError: true, content: 'old_string matched 0 places', durationMs: 3 },
    ]);
    const [ok, failed] = items(state);
    expect(ok?.kind === 'tool' && ok.diff?.lines.map((line) => `${line.kind} ${line.text}`)).toEqual([
      'file src/a.ts',
      'hunk @@',
      'del -const a = 1;',
      'add +const a = 2;',
    ]);
    expect(failed).toMatchObject({ kind: 'tool', status: 'failed' });
    expect(failed?.kind === 'tool' && failed.diff).toBeUndefined();
  });

  test('multi_edit and write_file diffs; a long write is cut with a count', () => {
    const multi = editDiff('multi_edit', { path: 'b.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] });
    expect(multi?.lines.filter((line) => line.kind === 'add').map((line) => line.text)).toEqual(['+b', '+d']);
    const content = Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n');
    const written = editDiff('write_file', { path: 'c.ts', content }, 10);
    expect(written?.lines).toHaveLength(10);
    expect(written?.more).toBe(92);
    expect(editDiff('edit_file', { path: 'x', old_string: 3 })).toBeUndefined();
  });

  test('usage updates the status figures; steering messages leave the queue when the loop takes them', () => {
    const queued: ViewState = { ...initialViewState(info), queued: ['focus on tests', 'and docs'] };
    const state = fold(
      [
        { type: 'usage', usage: { promptTokens: 1000, completionTokens: 50 }, totals: { promptTokens: 5000, completionTokens: 300, cachedTokens: 4000 }, contextTokens: 1050 },
        { type: 'user_message', content: 'focus on tests', steering: true },
      ],
      queued,
    );
    expect(state.status).toMatchObject({ promptTokens: 5000, completionTokens: 300, cachedTokens: 4000, contextTokens: 1050 });
    expect(state.queued).toEqual(['and docs']);
    expect(items(state)[0]).toMatchObject({ kind: 'user', steering: true });
  });

  test('a run that ends mid-answer keeps the partial answer, then the end item', () => {
    const state = fold([
      { type: 'content_delta', text: 'Half an ans' },
      { type: 'session_end', status: 'interrupted', result: '', turns: 2, toolCalls: 3, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, durationMs: 4000 },
    ]);
    expect(items(state)).toMatchObject([
      { kind: 'answer', text: 'Half an ans', partial: true },
      { kind: 'end', status: 'interrupted', turns: 2, toolCalls: 3 },
    ]);
    expect(state.ended).toBe('interrupted');
  });
});

describe('append-only log', () => {
  test('appending shares the backing array; an older state that appends copies first', () => {
    const one = appendTo(emptyLog<string>(), 'a');
    const two = appendTo(one, 'b');
    expect(two.backing).toBe(one.backing);
    const fork = appendTo(one, 'c');
    expect(fork.backing).not.toBe(one.backing);
    expect(windowOf(two).slice(0)).toEqual(['a', 'b']);
    expect(windowOf(fork).slice(0)).toEqual(['a', 'c']);
    expect(windowOf(one).length).toBe(1);
    expect(windowOf(two).slice(1)).toEqual(['b']);
  });
});

describe('line editor and formats', () => {
  test('typing, moving, deleting and submitting', () => {
    let line = EMPTY_LINE;
    line = editLine(line, 'helo', key()).line;
    line = editLine(line, '', key({ leftArrow: true })).line;
    line = editLine(line, 'l', key()).line;
    expect(line).toEqual({ text: 'hello', cursor: 4 });
    line = editLine(line, '', key({ backspace: true })).line;
    expect(line.text).toBe('helo');
    expect(editLine(line, 'o', key({ ctrl: true })).line).toBe(line);
    expect(editLine(line, '', key({ tab: true })).line).toBe(line);
    const sent = editLine({ text: '  go  ', cursor: 6 }, '', key({ return: true }));
    expect(sent).toEqual({ line: EMPTY_LINE, submitted: 'go' });
    expect(editLine(EMPTY_LINE, '', key({ return: true })).submitted).toBeUndefined();
  });

  test('figures', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(12_340)).toBe('12.3k');
    expect(formatTokens(1_500)).toBe('1.5k');
    expect(formatTokens(4_560_000)).toBe('4.56M');
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(243_000)).toBe('4m 03s');
    expect(formatDuration(7_500_000)).toBe('2h 05m');
    expect(appendTail('abc', 'def', 4)).toBe('cdef');
    expect(firstLines('a\nb\nc\n', 2)).toEqual({ lines: ['a', 'b'], more: 1 });
    expect(firstLines('a\nb\n', 5)).toEqual({ lines: ['a', 'b'], more: 0 });
  });
});
