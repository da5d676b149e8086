/**
 * A journal's history line. The journal only grows: a `rewind` record says the
 * conversation goes on from the end of an earlier turn. Each record's line runs
 * back through the record before it, and a rewind's through the last record of
 * the turn it went back to, so the records that make the conversation now are
 * one walk back from the last record (O(records), however many rewinds).
 *
 * Turns are numbered over the whole journal and never reused, so any turn, in
 * the current line or in one a rewind left, can be found by its number.
 */
import type { JournalRecord } from './records.js';

type Rec = JournalRecord;

/** Kinds that belong to the turn before them (its calls' results, its checkpoint, notes). */
export const TURN_TAIL: ReadonlySet<Rec['kind']> = new Set<Rec['kind']>(['tool_start', 'tool_end', 'checkpoint', 'error', 'endpoint', 'slot']);

/** For each record, the index of the record before it in its line (-1 for the first). */
export function previousInLine(records: readonly Rec[]): number[] {
  const indexOfSeq = new Map<number, number>();
  const previous: number[] = [];
  let tail = -1;
  records.forEach((record, index) => {
    indexOfSeq.set(record.seq, index);
    previous.push(record.kind === 'rewind' ? (indexOfSeq.get(record.throughSeq) ?? -1) : tail);
    tail = index;
  });
  return previous;
}

/** The records of the line that ends at `records[end]` (default: the last record), oldest first. */
export function lineOf(records: readonly Rec[], end = records.length - 1): Rec[] {
  if (!records.some((record) => record.kind === 'rewind')) return records.slice(0, end + 1);
  const previous = previousInLine(records);
  const line: Rec[] = [];
  for (let index = end; index >= 0; index = previous[index]!) line.push(records[index]!);
  return line.reverse();
}

/** The index of the last record of turn `turn` (its results and checkpoint included), or -1 when there is no such turn. */
export function turnEndIndex(records: readonly Rec[], turn: number): number {
  const start = records.findIndex((record) => record.kind === 'assistant' && record.turn === turn);
  if (start === -1) return -1;
  let end = start;
  while (end + 1 < records.length && TURN_TAIL.has(records[end + 1]!.kind)) end += 1;
  return end;
}

/** The workspace tree last written or restored (a checkpoint or a rewind) in `line`, if any. */
function treeOfLine(line: readonly Rec[]): string | undefined {
  for (let index = line.length - 1; index >= 0; index--) {
    const record = line[index]!;
    if (record.kind === 'checkpoint') return record.ref;
    if (record.kind === 'rewind') return record.tree;
  }
  return undefined;
}

export interface TurnPoint {
  turn: number;
  /** The seq of the turn's last record: where a rewind or fork to it goes on from. */
  throughSeq: number;
  /** The workspace at the end of the turn; undefined before the first checkpoint. */
  tree?: string;
}

/** Where the end of turn `turn` is, or undefined when the journal has no such turn. */
export function turnPoint(records: readonly Rec[], turn: number): TurnPoint | undefined {
  const end = turnEndIndex(records, turn);
  if (end === -1) return undefined;
  const tree = treeOfLine(lineOf(records, end));
  return { turn, throughSeq: records[end]!.seq, ...(tree ? { tree } : {}) };
}

/** The tree the session last wrote or restored, in journal order (what the workspace should hold now). */
export function lastTree(records: readonly Rec[]): string | undefined {
  return treeOfLine(records);
}

export interface TurnSummary {
  turn: number;
  /** The first line of what the model said, else of its first call. */
  firstLine: string;
  tree?: string;
}

/** Every turn of the journal in order, with whether it can be rewound to (has a tree). */
export function turnsOf(records: readonly Rec[]): TurnSummary[] {
  const turns: TurnSummary[] = [];
  for (const record of records) {
    if (record.kind !== 'assistant') continue;
    const point = turnPoint(records, record.turn);
    const call = record.toolCalls?.[0];
    const text = record.content.trim() || (call ? `${call.function.name} ${call.function.arguments}` : '');
    turns.push({ turn: record.turn, firstLine: text.split('\n')[0]!.slice(0, 100), ...(point?.tree ? { tree: point.tree } : {}) });
  }
  return turns;
}
