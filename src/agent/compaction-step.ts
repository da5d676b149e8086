/**
 * The compaction step of the loop: when the conversation nears the context
 * window (before a turn) or overflowed it (a server's error), the history is
 * summarised into a `compaction` record. A compaction is also the one point where
 * a changed tool list is applied, since the prompt prefix changes anyway.
 */
import { TokenEstimator } from '../context/tokens.js';
import type { ModelError } from '../shared/errors.js';
import { compact } from './compactor.js';
import type { AgentEvent } from './events.js';
import type { Run } from './run.js';

/** Compacts when the conversation nears the window (or overflowed); true when it did. */
export async function* compactionStep(run: Run, reason: 'threshold' | 'overflow'): AsyncGenerator<AgentEvent, boolean> {
  const { deps, state } = run;
  const settings = deps.compaction;
  if (!settings) return false;
  const before = settings.estimator.estimate(run.requestChars());
  if (reason === 'threshold' && before < settings.threshold * settings.contextWindow) return false;
  if (state.chars === run.charsAtLastCompaction) return false;
  run.charsAtLastCompaction = state.chars;
  const outcome = await compact(state, {
    model: deps.model,
    estimator: settings.estimator,
    contextWindow: settings.contextWindow,
    threshold: settings.threshold,
    signal: run.signal,
  });
  if (!outcome) return false;
  run.append(outcome.record);
  if (await deps.applyToolChanges?.()) run.loadTools();
  settings.estimator.reset();
  run.charsAtLastCompaction = state.chars;
  if (outcome.warning) yield run.event({ type: 'warning', message: outcome.warning });
  yield run.event({
    type: 'compaction',
    summaryChars: outcome.record.summary.length,
    droppedMessages: outcome.droppedMessages,
    contextBefore: before,
    contextAfter: settings.estimator.estimate(run.requestChars()),
  });
  return true;
}

/**
 * An overflow with no window known (a server that does not report it) still
 * compacts: the window is the one the error names, else at most the size that overflowed.
 */
export function learnWindow(run: Run, error: ModelError): void {
  if (run.deps.compaction) return;
  const estimator = new TokenEstimator();
  const contextWindow = error.details.contextWindow ?? estimator.estimate(run.requestChars());
  run.deps.compaction = { estimator, contextWindow, threshold: 0.8 };
}
