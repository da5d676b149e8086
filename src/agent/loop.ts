/**
 * The agent loop: an async generator of events. Each turn builds the request
 * from the folded conversation (stable system prompt, tools in a fixed order,
 * append-only history), streams the model, runs its tool calls (independent
 * read-only calls in parallel, others in order), appends the results, and goes
 * on until the model answers without tool calls or a stop condition holds.
 *
 * Its named parts: `streamTurn` (turn-stream.ts: a turn's request and stream),
 * `runBatch` and `closeOpenCalls` (tool-batch.ts: a batch of tool calls),
 * `compactionStep` (compaction-step.ts), and `finish` below. They share a `Run`
 * (run.ts). Every change goes through the journal first and then through
 * `applyRecord`, the same fold that resume uses.
 */
import { ModelError, oneLine } from '../shared/errors.js';
import { compactionStep } from './compaction-step.js';
import type { AgentEvent, EndStatus } from './events.js';
import type { LoopDeps, LoopResult } from './loop-deps.js';
import { Run } from './run.js';
import type { StopReason } from './stop-conditions.js';
import { batches, closeOpenCalls, runBatch } from './tool-batch.js';
import { BudgetReached, streamTurn } from './turn-stream.js';

export type { LoopDeps, LoopResult, SessionStartInfo } from './loop-deps.js';
export { batches } from './tool-batch.js';

const INTERRUPTED = 'interrupted by the user';

export async function* runLoop(deps: LoopDeps, input?: string): AsyncGenerator<AgentEvent, LoopResult> {
  const run = new Run(deps);
  const { state, signal } = run;
  if (deps.sessionStart) yield run.event({ type: 'session_start', ...deps.sessionStart, task: state.task || input || '' });

  // A resumed session that is already done and gets no new text has nothing to do: its answer stands.
  if (input === undefined && state.ended?.status === 'done' && state.openCalls.length === 0)
    return { status: 'done', result: state.ended.result ?? state.lastAnswer };

  if (state.openCalls.length) yield* closeOpenCalls(run);
  if (input !== undefined) {
    run.append({ kind: 'user', content: input });
    yield run.event({ type: 'user_message', content: input });
  }

  for (;;) {
    if (signal.aborted) return yield* finish(run, 'interrupted', state.lastAnswer, INTERRUPTED);
    const stopReason: StopReason | undefined = deps.stop(run.progress());
    if (stopReason) return yield* finish(run, 'budget', state.lastAnswer, stopReason.message, stopReason.code);

    yield* compactionStep(run, 'threshold');

    yield run.event({ type: 'turn_start' });
    let outcome;
    try {
      outcome = yield* streamTurn(run);
    } catch (error) {
      if (signal.aborted) return yield* finish(run, 'interrupted', state.lastAnswer, INTERRUPTED);
      if (error instanceof BudgetReached) return yield* finish(run, 'budget', state.lastAnswer, error.reason.message, error.reason.code);
      const message = oneLine(error);
      const code = error instanceof ModelError ? error.code : 'internal';
      run.append({ kind: 'error', code, message });
      yield run.event({ type: 'error', code, message });
      return yield* finish(run, 'failed', state.lastAnswer, message, code);
    }
    if (outcome.toolCalls.length === 0) {
      deps.session.sync('turn');
      return yield* finish(run, 'done', outcome.content);
    }

    for (const batch of batches(outcome.toolCalls, run.byName)) {
      yield* runBatch(run, batch);
      if (signal.aborted) return yield* finish(run, 'interrupted', state.lastAnswer, INTERRUPTED);
    }
    for (const message of deps.steering?.take() ?? []) {
      run.append({ kind: 'user', content: message });
      yield run.event({ type: 'user_message', content: message, steering: true });
    }
    deps.session.sync('turn');
  }
}

/** Finishing: the `end` record, made durable, and the `session_end` event with the session's counts. */
function* finish(run: Run, status: EndStatus, result: string, reason?: string, errorCode?: string): Generator<AgentEvent, LoopResult> {
  const { state } = run;
  run.append({ kind: 'end', status, result, ...(reason ? { reason } : {}) });
  run.deps.session.sync('turn');
  yield run.event({
    type: 'session_end',
    status,
    result,
    reason,
    turns: state.turns,
    toolCalls: state.toolCalls,
    usage: { ...state.usage },
    durationMs: run.clock() - run.startedAt,
  });
  return { status, result, reason, errorCode };
}
