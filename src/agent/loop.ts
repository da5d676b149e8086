/**
 * The agent loop: an async generator of events. Each turn builds the request
 * from the folded conversation (stable system prompt, tools in a fixed order,
 * append-only history), streams the model, runs its tool calls (independent
 * read-only calls in parallel, others in order), appends the results, and goes
 * on until the model answers without tool calls or a stop condition holds.
 *
 * Every change goes through the journal first and then through `applyRecord`,
 * the same fold that resume uses. The loop knows nothing of Ink, stdout or
 * which Qwen server it talks to.
 */
import type { RecordBody } from '../../sessions/records.js';
import { TokenEstimator } from '../context/tokens.js';
import { cutForPrompt } from '../context/tool-output.js';
import type { ToolCallResult, ToolDescriptor, ToolHost } from '../mcp/types.js';
import type { AssistantToolCall, ModelClient, ModelEvent, ParsedToolCall, ToolSpec, Usage } from '../model/types.js';
import { ModelError, oneLine } from '../shared/errors.js';
import type { ApprovalGate } from './approval.js';
import type { SteeringInbox } from './controls.js';
import type { AgentEvent, AgentEventBody, EndStatus } from './events.js';
import { compact } from './compactor.js';
import { applyRecord, type ConversationState } from './fold.js';
import { TICK, withHeartbeat } from './heartbeat.js';
import { READ_OUTPUT, readOutput } from './local-tools.js';
import type { SessionSink } from './session-sink.js';
import { callSignature, type LoopProgress, type StopCondition, type StopReason } from './stop-conditions.js';
import { toToolSpecs } from './tool-specs.js';

export interface LoopDeps {
  model: ModelClient;
  tools: ToolHost;
  session: SessionSink;
  /** The folded conversation; the loop keeps it up to date. */
  state: ConversationState;
  stop: StopCondition;
  signal: AbortSignal;
  approvals: ApprovalGate;
  /** Characters of one tool output that go into the prompt. */
  outputLimit: number;
  steering?: SteeringInbox;
  clock?: () => number;
  /** Silence on the model stream before a `waiting` event. @default 15000 */
  heartbeatMs?: number;
  /** Attempts of one turn when the stream fails after it started. @default 3 */
  turnAttempts?: number;
  /**
   * Applies a changed tool list (MCP list_changed); true when the tools changed.
   * Called only at a compaction: between compactions the prompt must not change.
   */
  applyToolChanges?: () => Promise<boolean>;
  /** Compaction settings; without them the loop never compacts. */
  compaction?: {
    estimator: TokenEstimator;
    contextWindow: number;
    /** Fraction of the window at which to compact. */
    threshold: number;
  };
}

export interface LoopResult {
  status: EndStatus;
  result: string;
  reason?: string;
  errorCode?: string;
}

/** A stop condition that held while the model was still answering. */
class BudgetReached extends Error {
  constructor(readonly reason: StopReason) {
    super(reason.message);
  }
}

/** Identical calls kept for loop detection. */
const RECENT_CALLS = 16;

export async function* runLoop(deps: LoopDeps, input?: string): AsyncGenerator<AgentEvent, LoopResult> {
  const { state, session, signal } = deps;
  const clock = deps.clock ?? Date.now;
  const startedAt = clock();
  const recentCalls: string[] = [];
  let tokensThisRun = 0;
  let seq = 0;
  const event = (body: AgentEventBody): AgentEvent =>
    ({ session: state.sessionId, turn: state.turns, seq: ++seq, time: clock(), ...body }) as AgentEvent;
  const append = (body: RecordBody) => applyRecord(state, session.append(body));

  // The tools the model sees; rebuilt only at a compaction (a safe point for the prefix cache).
  let byName = new Map<string, ToolDescriptor>();
  let specs: ToolSpec[] = [];
  let specsChars = 0;
  const loadTools = () => {
    const descriptors: ToolDescriptor[] = [...deps.tools.tools(), READ_OUTPUT];
    byName = new Map(descriptors.map((tool) => [tool.name, tool]));
    specs = toToolSpecs(descriptors);
    specsChars = JSON.stringify(specs).length;
  };
  loadTools();
  let charsAtLastCompaction = -1;

  const progress = (): LoopProgress => ({
    turns: state.turns,
    toolCalls: state.toolCalls,
    tokens: tokensThisRun,
    startedAt,
    now: clock(),
    recentCalls,
  });

  const finish = function* (status: EndStatus, result: string, reason?: string, errorCode?: string) {
    append({ kind: 'end', status, result, ...(reason ? { reason } : {}) });
    session.sync('turn');
    yield event({
      type: 'session_end',
      status,
      result,
      reason,
      turns: state.turns,
      toolCalls: state.toolCalls,
      usage: { ...state.usage },
      durationMs: clock() - startedAt,
    });
    return { status, result, reason, errorCode } satisfies LoopResult;
  };

  if (state.openCalls.length) yield* closeOpenCalls();
  if (input !== undefined) {
    append({ kind: 'user', content: input });
    yield event({ type: 'user_message', content: input });
  }

  for (;;) {
    if (signal.aborted) return yield* finish('interrupted', state.lastAnswer, 'interrupted by the user');
    const stopReason: StopReason | undefined = deps.stop(progress());
    if (stopReason) return yield* finish('budget', state.lastAnswer, stopReason.message, stopReason.code);

    yield* maybeCompact('threshold');

    yield event({ type: 'turn_start' });
    let outcome: { content: string; toolCalls: ParsedToolCall[] };
    try {
      outcome = yield* streamTurn();
    } catch (error) {
      if (signal.aborted) return yield* finish('interrupted', state.lastAnswer, 'interrupted by the user');
      if (error instanceof BudgetReached) return yield* finish('budget', state.lastAnswer, error.reason.message, error.reason.code);
      const message = oneLine(error);
      const code = error instanceof ModelError ? error.code : 'internal';
      append({ kind: 'error', code, message });
      yield event({ type: 'error', code, message });
      return yield* finish('failed', state.lastAnswer, message, code);
    }
    if (outcome.toolCalls.length === 0) {
      session.sync('turn');
      return yield* finish('done', outcome.content);
    }

    for (const batch of batches(outcome.toolCalls, byName)) {
      yield* runBatch(batch);
      if (signal.aborted) return yield* finish('interrupted', state.lastAnswer, 'interrupted by the user');
    }
    for (const message of deps.steering?.take() ?? []) {
      append({ kind: 'user', content: message });
      yield event({ type: 'user_message', content: message, steering: true });
    }
    session.sync('turn');
  }

  /** Compacts when the conversation nears the window (or overflowed); true when it did. */
  async function* maybeCompact(reason: 'threshold' | 'overflow'): AsyncGenerator<AgentEvent, boolean> {
    const settings = deps.compaction;
    if (!settings) return false;
    const before = settings.estimator.estimate(state.chars + specsChars);
    if (reason === 'threshold' && before < settings.threshold * settings.contextWindow) return false;
    if (state.chars === charsAtLastCompaction) return false;
    charsAtLastCompaction = state.chars;
    const outcome = await compact(state, { model: deps.model, estimator: settings.estimator, contextWindow: settings.contextWindow, threshold: settings.threshold, signal });
    if (!outcome) return false;
    append(outcome.record);
    if (await deps.applyToolChanges?.()) loadTools();
    settings.estimator.reset();
    charsAtLastCompaction = state.chars;
    if (outcome.warning) yield event({ type: 'warning', message: outcome.warning });
    yield event({
      type: 'compaction',
      summaryChars: outcome.record.summary.length,
      droppedMessages: outcome.droppedMessages,
      contextBefore: before,
      contextAfter: settings.estimator.estimate(state.chars + specsChars),
    });
    return true;
  }

  /**
   * An overflow with no window known (a server that does not report it) still
   * compacts: the window is the one the error names, else at most the size that overflowed.
   */
  function learnWindow(error: ModelError): void {
    if (deps.compaction) return;
    const estimator = new TokenEstimator();
    const contextWindow = error.details.contextWindow ?? estimator.estimate(state.chars + specsChars);
    deps.compaction = { estimator, contextWindow, threshold: 0.8 };
  }

  /** One model response, retried when its stream fails after it started. */
  async function* streamTurn() {
    const attempts = deps.turnAttempts ?? 3;
    let compactedForOverflow = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return yield* streamOnce();
      } catch (error) {
        if (!(error instanceof ModelError) || signal.aborted) throw error;
        if (error.code === 'context_overflow' && !compactedForOverflow) {
          compactedForOverflow = true;
          learnWindow(error);
          if (yield* maybeCompact('overflow')) continue;
        }
        if (!error.retryable || attempt >= attempts) throw error;
        yield event({ type: 'model_retry', attempt, delayMs: 0, reason: oneLine(error) });
      }
    }
  }

  async function* streamOnce() {
    const started = clock();
    const requestChars = state.chars + specsChars;
    // A budget (the deadline) can run out while the model is silent: checked every tick.
    // One controller per request, fed by the run's signal through a listener that is
    // removed afterwards (AbortSignal.any() would leave a dependant on the long-lived signal per turn).
    const request = new AbortController();
    const forwardAbort = () => request.abort(signal.reason);
    signal.addEventListener('abort', forwardAbort, { once: true });
    try {
      return yield* streamRequest(request, started, requestChars);
    } finally {
      signal.removeEventListener('abort', forwardAbort);
    }
  }

  async function* streamRequest(request: AbortController, started: number, requestChars: number) {
    const stream = deps.model.stream({ messages: state.messages, tools: specs, toolChoice: 'auto', signal: request.signal });
    let usage: Usage | undefined;
    let finished: Extract<ModelEvent, { type: 'finish' }> | undefined;
    const heartbeatMs = deps.heartbeatMs ?? 15_000;
    let lastHeartbeat = started;
    for await (const item of withHeartbeat(stream, Math.min(1_000, heartbeatMs))) {
      if (item === TICK) {
        const reason = deps.stop(progress());
        if (reason) {
          request.abort();
          throw new BudgetReached(reason);
        }
        if (clock() - lastHeartbeat >= heartbeatMs) {
          lastHeartbeat = clock();
          yield event({ type: 'waiting', elapsedMs: lastHeartbeat - started });
        }
        continue;
      }
      switch (item.type) {
        case 'reasoning':
          yield event({ type: 'reasoning_delta', text: item.text });
          break;
        case 'content':
          yield event({ type: 'content_delta', text: item.text });
          break;
        case 'retry':
          yield event({ type: 'model_retry', attempt: item.attempt, delayMs: item.delayMs, reason: item.reason });
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
    const argumentErrors = Object.fromEntries(
      toolCalls.filter((call) => call.argumentError).map((call) => [call.id, call.argumentError!]),
    );
    append({
      kind: 'assistant',
      turn: state.turns + 1,
      content: message.content,
      ...(message.reasoning ? { reasoning: message.reasoning } : {}),
      ...(message.tool_calls?.length ? { toolCalls: message.tool_calls } : {}),
      ...(Object.keys(argumentErrors).length ? { argumentErrors } : {}),
      finish: reason,
      ...(usage ? { usage } : {}),
      modelMs: clock() - started,
    });
    if (usage) {
      tokensThisRun += usage.promptTokens + usage.completionTokens;
      deps.compaction?.estimator.observe(usage.promptTokens, usage.completionTokens, requestChars, state.chars + specsChars);
    }
    yield event({
      type: 'assistant_message',
      content: message.content,
      reasoning: message.reasoning,
      toolCalls: toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })),
      usage,
    });
    if (usage) yield event({ type: 'usage', usage, totals: { ...state.usage }, contextTokens: state.lastPromptTokens });
    return { content: message.content, toolCalls };
  }

  /**
   * Closes the calls a crash left open: a call that never started, or that may
   * run again (read-only or idempotent), runs now; any other call gets a result
   * saying it was interrupted and its effects are unknown. Calls of the same
   * message that already have their result keep it. Nothing runs twice silently.
   */
  async function* closeOpenCalls() {
    const toRun: ParsedToolCall[] = [];
    for (const open of state.openCalls) {
      if (state.heldResults.has(open.call.id)) continue;
      const call = toParsedCall(open.call, open.argumentError);
      if (open.started && !open.replayable) {
        const text = `this call was interrupted (the session stopped while it ran); its effects are unknown: check before repeating it`;
        const content = recordResult(call, { isError: true, text }, 0, 'interrupted');
        yield event({ type: 'tool_end', callId: call.id, name: call.name, isError: true, content, durationMs: 0, outcome: 'interrupted' });
      } else {
        toRun.push(call);
      }
    }
    for (const batch of batches(toRun, byName)) yield* runBatch(batch, true);
  }

  async function* runBatch(batch: ParsedToolCall[], replayed = false) {
    const prepared: { call: ParsedToolCall; tool?: ToolDescriptor; skip?: ToolCallResult & { outcome?: 'denied' | 'cancelled' } }[] = [];
    for (const call of batch) {
      const tool = byName.get(call.name);
      recentCalls.push(callSignature(call.name, call.args));
      if (recentCalls.length > RECENT_CALLS) recentCalls.shift();
      if (call.argumentError) {
        prepared.push({ call, skip: { isError: true, text: `${call.argumentError}; call ${call.name} again with a JSON object` } });
      } else if (!tool) {
        prepared.push({
          call,
          skip: { isError: true, text: `unknown tool "${call.name}"; available tools: ${[...byName.keys()].join(', ')}` },
        });
      } else if (deps.stop({ ...progress(), toolCalls: state.toolCalls + prepared.filter((p) => !p.skip).length })?.code === 'max_tool_calls') {
        prepared.push({ call, tool, skip: { isError: true, text: 'not run: the tool-call budget was reached', outcome: 'cancelled' } });
      } else {
        const approval = await deps.approvals.check(tool, call.id, call.args, signal);
        prepared.push(approval.run ? { call, tool } : { call, tool, skip: { isError: true, text: approval.message, outcome: 'denied' } });
      }
    }

    const runnable = prepared.filter((item) => !item.skip);
    for (const { call, tool } of runnable) {
      append({ kind: 'tool_start', callId: call.id, name: call.name, replayable: isReplayable(tool!) });
      yield event({ type: 'tool_start', callId: call.id, name: call.name, arguments: call.arguments, ...(replayed ? { replayed } : {}) });
    }
    if (runnable.some(({ tool }) => !isReplayable(tool!))) session.sync('side_effect');

    const started = clock();
    const results = await Promise.all(
      prepared.map(async (item) => (item.skip ? item.skip : executeTool(item.tool!, item.call))),
    );
    const durationMs = clock() - started;
    for (let i = 0; i < prepared.length; i++) {
      const { call } = prepared[i]!;
      const result = results[i]!;
      const outcome = 'outcome' in result ? (result.outcome as 'denied' | 'cancelled' | undefined) : undefined;
      const recorded = recordResult(call, result, durationMs, outcome);
      yield event({
        type: 'tool_end',
        callId: call.id,
        name: call.name,
        isError: result.isError,
        content: recorded,
        durationMs,
        ...(outcome ? { outcome } : {}),
      });
    }
  }

  async function executeTool(tool: ToolDescriptor, call: ParsedToolCall): Promise<ToolCallResult & { outcome?: 'cancelled' }> {
    if (tool === READ_OUTPUT) return readOutput(session, call.args, deps.outputLimit);
    try {
      const result = await deps.tools.call(tool.name, call.args, { signal });
      if (signal.aborted)
        return { isError: true, text: 'the call was cancelled by the user before it finished; its effects are unknown', outcome: 'cancelled' };
      return result;
    } catch (error) {
      if (signal.aborted)
        return { isError: true, text: 'the call was cancelled by the user before it finished; its effects are unknown', outcome: 'cancelled' };
      return { isError: true, text: `the ${tool.server} tool server failed: ${oneLine(error)}` };
    }
  }

  function recordResult(
    call: ParsedToolCall,
    result: ToolCallResult,
    durationMs: number,
    outcome?: 'denied' | 'cancelled' | 'interrupted',
  ): string {
    let content = result.text;
    let blob;
    if (content.length > deps.outputLimit) {
      blob = session.putBlob(content);
      content = cutForPrompt(content, deps.outputLimit, blob.id).text;
    }
    append({
      kind: 'tool_end',
      callId: call.id,
      name: call.name,
      isError: result.isError,
      content,
      ...(blob ? { blob } : {}),
      durationMs,
      ...(outcome ? { outcome } : {}),
    });
    return content;
  }
}

function toParsedCall(call: AssistantToolCall, argumentError?: string): ParsedToolCall {
  let args: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(call.function.arguments);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
  } catch {
    argumentError ??= 'arguments were not valid JSON';
  }
  return { id: call.id, name: call.function.name, arguments: call.function.arguments, args, ...(argumentError ? { argumentError } : {}) };
}

function isReplayable(tool: ToolDescriptor): boolean {
  return tool.annotations.readOnlyHint === true || tool.annotations.idempotentHint === true;
}

/**
 * Splits the calls of one message into batches that keep their order: runs of
 * read-only calls form one parallel batch, every other call is a batch alone.
 */
export function batches(calls: readonly ParsedToolCall[], tools: ReadonlyMap<string, ToolDescriptor>): ParsedToolCall[][] {
  const result: ParsedToolCall[][] = [];
  let parallel: ParsedToolCall[] = [];
  for (const call of calls) {
    if (tools.get(call.name)?.annotations.readOnlyHint === true) {
      parallel.push(call);
      continue;
    }
    if (parallel.length) result.push(parallel);
    parallel = [];
    result.push([call]);
  }
  if (parallel.length) result.push(parallel);
  return result;
}
