/**
 * The checkpoint step of the loop: at the end of a turn that ran a tool that
 * may change files (no readOnlyHint), the workspace is snapshotted into the
 * session's own store and a `checkpoint` record names the tree, so a rewind or
 * a fork can bring the files back as they were at the end of this turn. An
 * unchanged workspace writes no record (the last one still holds). A store that
 * fails (no git) warns once and the session goes on without checkpoints.
 *
 * A kill between a turn's calls and its checkpoint leaves that turn without
 * one; the next run (the resume) takes it first (`uncheckedTurn` in the fold),
 * so a rewind to that turn brings back its files, not the turn's before.
 */
import { oneLine } from '../shared/errors.js';
import { pauseForTest } from '../shared/test-pause.js';
import type { ParsedToolCall } from '../model/types.js';
import type { AgentEvent } from './events.js';
import type { Run } from './run.js';

/** True when a call of the turn may have changed files. */
export function mayChangeFiles(run: Run, calls: readonly ParsedToolCall[]): boolean {
  return calls.some((call) => run.byName.get(call.name)?.annotations.readOnlyHint !== true);
}

export async function* checkpointStep(run: Run): AsyncGenerator<AgentEvent, void> {
  const store = run.deps.checkpoints;
  if (!store || run.checkpointsFailed) return;
  let tree: string;
  try {
    tree = await store.snapshot();
  } catch (error) {
    run.checkpointsFailed = true;
    yield run.event({ type: 'warning', message: `checkpoints are off for this run (rewind will not have this turn's files): ${oneLine(error)}` });
    return;
  }
  delete run.state.uncheckedTurn;
  await pauseForTest('checkpoint-after-snapshot');
  if (tree === run.state.tree) return;
  run.append({ kind: 'checkpoint', ref: tree, turn: run.state.turns });
  yield run.event({ type: 'checkpoint', tree });
}
