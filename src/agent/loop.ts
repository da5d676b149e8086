/**
 * The agent loop: an async generator of events. Each turn builds the request
 * from the folded conversation (stable system prompt, tools in a fixed order,
 * append-only history), streams the model, runs its tool calls (independent
 * read-only calls in parallel, others in order), appends the results, and goes
 * on until the model answers without tool calls or a stop condition holds.
 *
 * Its named parts: `streamTurn` (turn-stream.ts: a turn's request and stream),
 * `runBatch` and `closeOpenCalls` (tool-batch.ts: a batch of tool calls),
 * `compactionStep` (compaction-step.ts), `checkpointStep` (checkpoint-step.ts),
 * and `finish` below. They share a `Run`
 * (run.ts). Every change goes through the journal first and then through
 * `applyRecord`, the same fold that resume uses.
 */
import { ModelError, oneLine } from '../shared/errors.js';
import { checkpointStep, mayChangeFiles } from './checkpoint-step.js';
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

/**
 * Continuations of an answer the output limit cut (`finish_reason: "length"`): the
 * cut text stays, a short note asks the model to go on from where it stopped, and
 * the pieces together are the answer. After this many in a row the run fails.
 */
export const LENGTH_CONTINUATIONS = 3;
export const LENGTH_NOTE = 'Your answer was cut off at the output token limit. Continue exactly where it stopped, without repeating what you already wrote.';

export async function* runLoop(deps: LoopDeps, input?: string): AsyncGenerator<AgentEvent, LoopResult> {
  const run = new Run(deps);
  const { state, signal } = run;
  if (deps.sessionStart) yield run.event({ type: 'session_start', ...deps.sessionStart, task: state.task || input || '' });

  // A resumed session that is already done and gets no new text has nothing to do: its answer stands.
  if (input === undefined && state.ended?.status === 'done' && state.openCalls.length === 0)
    return { status: 'done', result: state.ended.result ?? state.lastAnswer };
  // Rewound or forked to a turn that gave the final answer: that answer stands (a request would only repeat it).
  if (input === undefined && state.answered && state.openCalls.length === 0) return yield* finish(run, 'done', state.lastAnswer);

  if (state.openCalls.length) yield* closeOpenCalls(run);
  if (state.uncheckedTurn !== undefined) yield* checkpointStep(run);
  // A budget already spent ends the run before the model is called: a new message is
  // not journaled then, or the next resume would send two user messages in a row.
  const spent = input === undefined ? undefined : deps.stop(run.progress());
  if (spent) return yield* finish(run, 'budget', state.lastAnswer, `${spent.message}; the new message was not added (resume with it again once the budget allows)`, spent.code);
  if (input !== undefined) {
    run.append({ kind: 'user', content: input });
    yield run.event({ type: 'user_message', content: input });
  }

  // The pieces of an answer the output limit cut, while the model continues it.
  const cut: string[] = [];
  for (;;) {
    if (signal.aborted) return yield* finish(run, 'interrupted', state.lastAnswer, INTERRUPTED);
    const stopReason: StopReason | undefined = deps.stop(run.progress());
    if (stopReason) return yield* finish(run, 'budget', state.lastAnswer, stopReason.message, stopReason.code);

    let outcome;
    try {
      yield* compactionStep(run, deps.compactRequest?.take() === true ? 'requested' : 'threshold');
      yield run.event({ type: 'turn_start' });
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
    if (outcome.toolCalls.length === 0 && outcome.finish === 'length') {
      cut.push(outcome.content);
      if (cut.length > LENGTH_CONTINUATIONS) {
        const message = `the model's answer was cut at the output limit ${cut.length} times in a row (finish_reason "length"); raise max_tokens (config sampling.max_tokens) or the server's own limit (llama-server -n)`;
        run.append({ kind: 'error', code: 'output_limit', message });
        yield run.event({ type: 'error', code: 'output_limit', message });
        return yield* finish(run, 'failed', cut.join(''), message, 'output_limit');
      }
      yield run.event({ type: 'warning', message: `the answer was cut at the output limit; asking the model to continue (${cut.length} of ${LENGTH_CONTINUATIONS})` });
      run.append({ kind: 'user', content: LENGTH_NOTE, origin: 'endure' });
      continue;
    }
    if (outcome.toolCalls.length === 0) {
      deps.session.sync('turn');
      return yield* finish(run, 'done', [...cut, outcome.content].join(''));
    }
    cut.length = 0;

    for (const batch of batches(outcome.toolCalls, run.byName)) {
      yield* runBatch(run, batch);
      if (signal.aborted) break;
    }
    if (mayChangeFiles(run, outcome.toolCalls)) yield* checkpointStep(run);
    else delete state.uncheckedTurn;
    if (signal.aborted) return yield* finish(run, 'interrupted', state.lastAnswer, INTERRUPTED);
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
  // The answer leaves the process now: durable before it does, not in the background.
  run.deps.session.sync('end');
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
