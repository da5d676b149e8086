/**
 * The history line of a journal with rewinds: the conversation is one walk back
 * from the last record, a rewind going on from the end of the turn it names,
 * and any turn (in the current line or one a rewind left) is found by number.
 */
import { describe, expect, test } from 'vitest';
import { foldRecords } from '../../src/agent/fold.js';
import { lastTree, lineOf, turnPoint, turnsOf } from '../../sessions/history.js';
import type { JournalRecord, RecordBody } from '../../sessions/records.js';

function journal(bodies: RecordBody[]): JournalRecord[] {
  return bodies.map((body, index) => ({ seq: index + 1, t: 1000 + index, ...body }) as JournalRecord);
}

const start: RecordBody = {
  kind: 'session_start', sessionId: 's', version: '0', task: 'task', cwd: '/w', workspace: '/w',
  endpoint: { baseURL: 'http://x/v1', server: 'llama', model: 'm' }, sandbox: 'host', thinking: false, systemPrompt: 'sys', tools: [], settings: {},
};
const turn = (n: number, tree?: string): RecordBody[] => [
  { kind: 'assistant', turn: n, content: `turn ${n}`, toolCalls: [{ id: `c${n}`, type: 'function', function: { name: 'write_file', arguments: '{}' } }], finish: 'tool_calls' },
  { kind: 'tool_start', callId: `c${n}`, name: 'write_file', replayable: true },
  { kind: 'tool_end', callId: `c${n}`, name: 'write_file', isError: false, content: `wrote ${n}`, durationMs: 1 },
  ...(tree ? [{ kind: 'checkpoint', ref: tree, turn: n } as RecordBody] : []),
];

describe('history line', () => {
  // seq: 1 start, 2 user, 3-6 turn 1 (t1), 7-10 turn 2 (t2), 11-13 turn 3 (no checkpoint), 14 rewind to 1,
  // 15-18 turn 4 (t4), 19 rewind to 3 (a turn the first rewind left), 20-22 turn 5.
  const records = journal([
    start, { kind: 'user', content: 'task' }, ...turn(1, 't1'), ...turn(2, 't2'), ...turn(3),
    { kind: 'rewind', toTurn: 1, throughSeq: 6, tree: 't1' }, ...turn(4, 't4'),
    { kind: 'rewind', toTurn: 3, throughSeq: 13, tree: 't2' }, ...turn(5),
  ]);

  test('the line walks back through each rewind to the turn it names', () => {
    const seqs = lineOf(records).map((record) => record.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 21, 22]);
    expect(lineOf(records, 17).map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 14, 15, 16, 17, 18]);
  });

  test('turn points: the end of each turn and the tree its line had then; a turn before any checkpoint has none', () => {
    expect(turnPoint(records, 1)).toEqual({ turn: 1, throughSeq: 6, tree: 't1' });
    expect(turnPoint(records, 3)).toEqual({ turn: 3, throughSeq: 13, tree: 't2' });
    expect(turnPoint(records, 4)).toEqual({ turn: 4, throughSeq: 18, tree: 't4' });
    expect(turnPoint(records, 5)).toEqual({ turn: 5, throughSeq: 22, tree: 't2' });
    expect(turnPoint(records, 9)).toBeUndefined();
    expect(turnsOf(journal([start, ...turn(1)]))).toEqual([{ turn: 1, firstLine: 'turn 1' }]);
    expect(lastTree(records)).toBe('t2');
  });

  test('the fold: the conversation of the line, the counts of the whole journal, the next turn number unused', () => {
    const state = foldRecords(records);
    expect(state.messages.filter((message) => message.role === 'assistant').map((message) => message.content)).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 5']);
    expect(state.turns).toBe(5);
    expect(state.toolCalls).toBe(5);
    expect(state.tree).toBe('t2');
    expect(state.lastSeq).toBe(22);
  });
});
