/**
 * The turns /rewind lists: every turn with a checkpoint (its workspace is in
 * the session's store), with its first line and the files it changed. A turn's
 * files are the difference between the tree its line held before the turn and
 * the tree at its end; the session's first checkpoint has nothing before it, so
 * there the files the edit tools named stand in. Turns a rewind left behind are
 * listed too (any turn can be a target), marked as not on the current line.
 */
import type { CheckpointStore } from '../../sessions/checkpoints.js';
import { lastTree, lineOf, turnsOf } from '../../sessions/history.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { RewindPoint } from '../agent/controls.js';

/** Tools whose `path` argument names the file they write. */
const EDIT_TOOLS = new Set(['write_file', 'edit_file', 'multi_edit']);

/** @default 4 diffs of trees run at once. */
const DIFFS_AT_ONCE = 4;

export async function rewindPoints(records: readonly JournalRecord[], store: CheckpointStore): Promise<RewindPoint[]> {
  const current = new Set(lineOf(records).map((record) => record.seq));
  const starts = new Map<number, number>();
  records.forEach((record, index) => {
    if (record.kind === 'assistant') starts.set(record.turn, index);
  });
  const listed = turnsOf(records).filter((turn) => turn.tree !== undefined);
  const points = listed.map((turn): { point: RewindPoint; diff?: [string, string] } => {
    const start = starts.get(turn.turn)!;
    const assistant = records[start] as Extract<JournalRecord, { kind: 'assistant' }>;
    const before = start > 0 ? lastTree(lineOf(records, start - 1)) : undefined;
    const text = assistant.content.trim() || startedBy(records, start);
    const point: RewindPoint = { turn: turn.turn, firstLine: firstLine(text), files: [], current: current.has(assistant.seq) };
    if (before === undefined) return { point: { ...point, files: editedPaths(assistant), first: true } };
    return before === turn.tree ? { point } : { point, diff: [before, turn.tree!] };
  });
  await eachAtMost(DIFFS_AT_ONCE, points, async (entry) => {
    if (entry.diff) entry.point.files = (await store.changes(...entry.diff)).map((change) => change.path);
  });
  return points.map((entry) => entry.point);
}

/** The user message that started the turn at `start`: the last one before it in its line. */
function startedBy(records: readonly JournalRecord[], start: number): string {
  const line = lineOf(records, start);
  for (let index = line.length - 1; index >= 0; index--) {
    const record = line[index]!;
    if (record.kind === 'user' && record.origin !== 'endure') return record.content.trim();
  }
  return '';
}

function editedPaths(assistant: Extract<JournalRecord, { kind: 'assistant' }>): string[] {
  const paths: string[] = [];
  for (const call of assistant.toolCalls ?? []) {
    if (!EDIT_TOOLS.has(call.function.name)) continue;
    try {
      const path = (JSON.parse(call.function.arguments) as { path?: unknown }).path;
      if (typeof path === 'string' && !paths.includes(path)) paths.push(path);
    } catch {
      // arguments that do not parse named no file
    }
  }
  return paths;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
