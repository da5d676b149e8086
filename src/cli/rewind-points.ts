/**
 * The turns /rewind lists: every turn with a checkpoint (its workspace is in
 * the session's store), with its first line and the files it changed. A turn's
 * files are the difference between the tree its line held before the turn and
 * the tree at its end (all turns' differences from one git process); the
 * session's first checkpoint has nothing before it, so there the files the edit
 * tools named stand in. Turns a rewind left behind are listed too (any turn can
 * be a target), marked as not on the current line.
 *
 * One pass over the records: each record's line goes back through the record
 * before it (sessions/history.ts), so the tree and the last user message of the
 * line ending at any record follow from that record's predecessor. A session of
 * thousands of turns lists in milliseconds, not in turns × records.
 */
import type { CheckpointStore } from '../../sessions/checkpoints.js';
import { lineOf, previousInLine, TURN_TAIL } from '../../sessions/history.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { RewindPoint } from '../agent/controls.js';

/** Tools whose `path` argument names the file they write. */
const EDIT_TOOLS = new Set(['write_file', 'edit_file', 'multi_edit']);

type Assistant = Extract<JournalRecord, { kind: 'assistant' }>;

export async function rewindPoints(records: readonly JournalRecord[], store: CheckpointStore): Promise<RewindPoint[]> {
  const previous = previousInLine(records);
  // For the line that ends at each record: its workspace tree, and the user message that last spoke in it.
  const tree: (string | undefined)[] = [];
  const asked: (string | undefined)[] = [];
  records.forEach((record, index) => {
    const before = previous[index]!;
    tree.push(record.kind === 'checkpoint' ? record.ref : record.kind === 'rewind' ? record.tree : before === -1 ? undefined : tree[before]);
    asked.push(record.kind === 'user' && record.origin !== 'endure' ? record.content : before === -1 ? undefined : asked[before]);
  });
  const current = new Set(lineOf(records).map((record) => record.seq));

  const points: { point: RewindPoint; diff?: [string, string] }[] = [];
  records.forEach((record, start) => {
    if (record.kind !== 'assistant') return;
    let end = start;
    while (end + 1 < records.length && TURN_TAIL.has(records[end + 1]!.kind)) end += 1;
    const after = tree[end];
    if (after === undefined) return;
    const before = start > 0 ? tree[start - 1] : undefined;
    const point: RewindPoint = { turn: record.turn, firstLine: firstLine(record.content.trim() || (asked[start] ?? '')), files: [], current: current.has(record.seq) };
    if (before === undefined) points.push({ point: { ...point, files: editedPaths(record), first: true } });
    else points.push(before === after ? { point } : { point, diff: [before, after] });
  });

  const diffed = points.filter((entry) => entry.diff !== undefined);
  const changes = await store.changesEach(diffed.map((entry) => entry.diff!));
  diffed.forEach((entry, index) => (entry.point.files = changes[index]!.map((change) => change.path)));
  return points.map((entry) => entry.point);
}

function editedPaths(assistant: Assistant): string[] {
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
  return text.trim().split('\n', 1)[0]!.trim();
}
