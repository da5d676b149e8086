/**
 * The compaction step of the loop: when the conversation nears the context
 * window (before a turn) or overflowed it (a server's error), the history is
 * summarised into a `compaction` record. A compaction is also the one point where
 * a changed tool list is applied, since the prompt prefix changes anyway.
 */
import { TokenEstimator } from '../context/tokens.js';
import { ModelError } from '../shared/errors.js';
import { compact, KEEP_RECENT } from './compactor.js';
import type { AgentEvent } from './events.js';
import type { LoopDeps } from './loop-deps.js';
import { Run } from './run.js';

/** Why a compaction step runs: the window nearly full, a server's overflow, or the person's /compact. */
export type CompactionReason = 'threshold' | 'overflow' | 'requested';

/** Extra compactions when one left the request over the window, before the run fails. */
const EXTRA_COMPACTIONS = 2;

/**
 * Compacts when the conversation nears the window (or overflowed); true when it did.
 * A request its own estimate puts over the window is never sent: the conversation
 * is compacted again, keeping half as many recent turns each time (at most twice
 * more), else the run fails with a ModelError that says what does not fit.
 */
export async function* compactionStep(run: Run, reason: CompactionReason): AsyncGenerator<AgentEvent, boolean> {
  const { deps, state } = run;
  const settings = deps.compaction;
  if (!settings) return false;
  const window = settings.contextWindow;
  const before = settings.estimator.estimate(run.requestChars());
  if (reason === 'threshold' && before < settings.threshold * window) return false;
  if (state.chars === run.charsAtLastCompaction) {
    if (before > window) throw tooBig(run, before, window);
    return false;
  }
  run.charsAtLastCompaction = state.chars;
  let compacted = false;
  for (let round = 0; round <= EXTRA_COMPACTIONS; round++) {
    const size = settings.estimator.estimate(run.requestChars());
    if (round > 0 && size <= window) break;
    const outcome = await compact(state, {
      model: deps.model,
      estimator: settings.estimator,
      contextWindow: window,
      threshold: settings.threshold,
      signal: run.signal,
      tools: run.specs,
      fits: reason === 'threshold' && round === 0,
      requestTokens: size,
      // Harder each round: half as many recent turns kept verbatim (the same share would keep the same turns).
      keepRecent: KEEP_RECENT / 2 ** round,
    });
    // Nothing to drop while keeping this many recent turns: the next round keeps fewer.
    if (!outcome) continue;
    // Instruction files are read again here: the prefix changes anyway, so an edited AGENTS.md takes effect now.
    const systemPrompt = deps.systemPrompt?.();
    const record = systemPrompt !== undefined && systemPrompt !== state.messages[0]?.content ? { ...outcome.record, state: { ...outcome.record.state, systemPrompt } } : outcome.record;
    run.append(record);
    if (await deps.applyToolChanges?.()) run.loadTools();
    settings.estimator.reset();
    run.charsAtLastCompaction = state.chars;
    compacted = true;
    if (outcome.warning) yield run.event({ type: 'warning', message: outcome.warning });
    yield run.event({
      type: 'compaction',
      summaryChars: outcome.record.summary.length,
      droppedMessages: outcome.droppedMessages,
      contextBefore: size,
      contextAfter: settings.estimator.estimate(run.requestChars()),
    });
  }
  const after = settings.estimator.estimate(run.requestChars());
  if (after > window) throw tooBig(run, after, window);
  return compacted;
}

/** The request does not fit even after compacting: say how big it is and what the fixed part alone takes. */
function tooBig(run: Run, tokens: number, window: number): ModelError {
  const estimator = run.deps.compaction!.estimator;
  const fixed = estimator.estimate((run.state.messages[0]?.content.length ?? 0) + run.specsChars);
  const what =
    fixed > window
      ? `endure's own first request (system prompt and ${run.specs.length} tool schemas) is about ${fixed} tokens, over the model's ${window}-token context window; not sent: start the server with a larger context (llama-server -c 32768) or use fewer MCP tools`
      : `the request is still about ${tokens} tokens after compacting, over the model's ${window}-token context window; not sent: the task, your messages and the latest turn are kept verbatim, so start the server with a larger context (llama-server -c 32768) or send shorter messages`;
  return new ModelError('context_overflow', what, {
    retryable: false,
    contextWindow: window,
  });
}

/**
 * /compact while no run is on: one compaction step outside a turn, journalled
 * like an automatic one. Says in a warning why it did nothing, when it did not.
 */
export async function* compactOnRequest(deps: LoopDeps): AsyncGenerator<AgentEvent, boolean> {
  const run = new Run(deps);
  if (!deps.compaction) {
    yield run.event({ type: 'warning', message: 'nothing compacted: the context window is unknown (--context-window N sets it)' });
    return false;
  }
  const done = yield* compactionStep(run, 'requested');
  deps.session.sync('turn');
  if (!done) yield run.event({ type: 'warning', message: 'nothing compacted: the conversation is too short to summarise' });
  return done;
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
