/**
 * A turn's request and stream: sends the folded conversation, turns the model's
 * stream into events, and journals the assistant message. A stream that fails
 * after it started is retried (bounded), and a context overflow compacts once
 * and tries again. A budget that runs out while the model is silent (the
 * deadline) ends the turn with `BudgetReached`.
 */
import { ModelError, oneLine } from '../shared/errors.js';
import type { FinishReason, ModelEvent, ParsedToolCall, Usage } from '../model/types.js';
import { compactionStep, learnWindow } from './compaction-step.js';
import type { AgentEvent } from './events.js';
import { TICK, withHeartbeat } from './heartbeat.js';
import type { Run } from './run.js';
import type { StopReason } from './stop-conditions.js';

/** A stop condition that held while the model was still answering. */
export class BudgetReached extends Error {
  constructor(readonly reason: StopReason) {
    super(reason.message);
  }
}

export interface TurnOutcome {
  content: string;
  toolCalls: ParsedToolCall[];
  finish: FinishReason;
}

/**
 * Tries of one turn when the server reports an error inside the stream (llama-server's
 * "does not match the expected peg-native format" when the model's output does not
 * parse): the first and 5 more. Each retry samples cooler (half the temperature per
 * try, at least 0.1 of it), which makes malformed tool-call markup less likely and
 * leaves the prompt, and so the server's cache, untouched.
 */
export const STREAM_ERROR_ATTEMPTS = 6;

/** What a failed attempt had already shown, so the retry can say it was discarded. */
interface Shown {
  chars: number;
}

/** One model response, retried when its stream fails after it started. */
export async function* streamTurn(run: Run): AsyncGenerator<AgentEvent, TurnOutcome> {
  const attempts = run.deps.turnAttempts ?? 3;
  let compactedForOverflow = false;
  let streamErrors = 0;
  for (let attempt = 1; ; attempt++) {
    const shown: Shown = { chars: 0 };
    try {
      return yield* streamOnce(run, shown, streamErrors);
    } catch (error) {
      if (!(error instanceof ModelError) || run.signal.aborted) throw error;
      if (error.code === 'context_overflow' && !compactedForOverflow) {
        compactedForOverflow = true;
        learnWindow(run, error);
        if (yield* compactionStep(run, 'overflow')) continue;
      }
      if (error.code === 'stream_error') streamErrors += 1;
      const bound = error.code === 'stream_error' ? Math.max(attempts, STREAM_ERROR_ATTEMPTS) : attempts;
      if (!error.retryable) throw error;
      if (attempt >= bound) throw new ModelError(error.code, `the turn failed ${attempt} times in a row; last: ${oneLine(error)}`, { ...error.details, retryable: false, cause: error });
      // Nothing of a failed attempt is journaled: its partial output stays out of the conversation.
      yield run.event({ type: 'model_retry', attempt, delayMs: 0, reason: oneLine(error), ...(shown.chars > 0 ? { discardedChars: shown.chars } : {}) });
    }
  }
}

async function* streamOnce(run: Run, shown: Shown, streamErrors: number): AsyncGenerator<AgentEvent, TurnOutcome> {
  const started = run.clock();
  const requestChars = run.requestChars();
  // A budget (the deadline) can run out while the model is silent: checked every tick.
  // One controller per request, fed by the run's signal through a listener that is
  // removed afterwards (AbortSignal.any() would leave a dependant on the long-lived signal per turn).
  const request = new AbortController();
  const forwardAbort = () => request.abort(run.signal.reason);
  run.signal.addEventListener('abort', forwardAbort, { once: true });
  try {
    return yield* streamRequest(run, request, started, requestChars, shown, streamErrors);
  } finally {
    run.signal.removeEventListener('abort', forwardAbort);
  }
}

async function* streamRequest(
  run: Run,
  request: AbortController,
  started: number,
  requestChars: number,
  shown: Shown,
  streamErrors: number,
): AsyncGenerator<AgentEvent, TurnOutcome> {
  const { deps, state } = run;
  const stream = deps.model.stream({
    messages: state.messages,
    tools: run.specs,
    toolChoice: 'auto',
    signal: request.signal,
    ...(streamErrors > 0 ? { temperatureScale: Math.max(0.1, 0.5 ** streamErrors) } : {}),
  });
  let usage: Usage | undefined;
  let finished: Extract<ModelEvent, { type: 'finish' }> | undefined;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  let lastHeartbeat = started;
  // How long it thought: from the first reasoning delta to the first answer delta (or the end), as the live view counts it.
  let reasoningFrom: number | undefined;
  let reasoningTo: number | undefined;
  for await (const item of withHeartbeat(stream, Math.min(1_000, heartbeatMs))) {
    if (item === TICK) {
      const reason = deps.stop(run.progress());
      if (reason) {
        request.abort();
        throw new BudgetReached(reason);
      }
      if (run.clock() - lastHeartbeat >= heartbeatMs) {
        lastHeartbeat = run.clock();
        yield run.event({ type: 'waiting', elapsedMs: lastHeartbeat - started });
      }
      continue;
    }
    switch (item.type) {
      case 'reasoning':
        shown.chars += item.text.length;
        reasoningFrom ??= run.clock();
        yield run.event({ type: 'reasoning_delta', text: item.text });
        break;
      case 'content':
        shown.chars += item.text.length;
        if (reasoningFrom !== undefined) reasoningTo ??= run.clock();
        yield run.event({ type: 'content_delta', text: item.text });
        break;
      case 'retry':
        yield run.event({ type: 'model_retry', attempt: item.attempt, delayMs: item.delayMs, reason: item.reason });
        break;
      case 'usage':
        usage = item.usage;
        break;
      case 'tool_call':
        break;
      case 'finish':
        finished = item;
        break;
      default: {
        const exhaustive: never = item;
        throw new Error(`unexpected model event ${JSON.stringify(exhaustive)}`);
      }
    }
  }
  if (!finished)
    throw new ModelError('incomplete_stream', 'the model stream ended without a finish event; retrying', {
      retryable: true,
    });
  const { message, toolCalls, reason } = finished;
  const reasoningMs = message.reasoning && reasoningFrom !== undefined ? (reasoningTo ?? run.clock()) - reasoningFrom : undefined;
  const argumentErrors = Object.fromEntries(
    toolCalls.filter((call) => call.argumentError).map((call) => [call.id, call.argumentError!]),
  );
  run.append({
    kind: 'assistant',
    turn: state.turns + 1,
    content: message.content,
    ...(message.reasoning ? { reasoning: message.reasoning } : {}),
    ...(message.tool_calls?.length ? { toolCalls: message.tool_calls } : {}),
    ...(Object.keys(argumentErrors).length ? { argumentErrors } : {}),
    finish: reason,
    ...(usage ? { usage } : {}),
    modelMs: run.clock() - started,
    ...(reasoningMs === undefined ? {} : { reasoningMs }),
  });
  if (usage) {
    run.budget.charge({ tokens: usage.promptTokens + usage.completionTokens });
    deps.compaction?.estimator.observe(usage.promptTokens, usage.completionTokens, requestChars, run.requestChars());
  }
  yield run.event({
    type: 'assistant_message',
    content: message.content,
    reasoning: message.reasoning,
    ...(reasoningMs === undefined ? {} : { reasoningMs }),
    toolCalls: toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })),
    usage,
  });
  if (usage) yield run.event({ type: 'usage', usage, totals: { ...state.usage }, contextTokens: state.lastPromptTokens });
  return { content: message.content, toolCalls, finish: reason };
}
