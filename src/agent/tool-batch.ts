/**
 * A batch of tool calls: checks each call (arguments, known tool, budget,
 * approval), journals `tool_start` for those that run, runs them together, and
 * journals each result in call order. Also closes the calls a crash left open.
 */
import { cutForPrompt } from '../context/tool-output.js';
import type { ToolCallResult, ToolDescriptor } from '../mcp/types.js';
import type { AssistantToolCall, ParsedToolCall } from '../model/types.js';
import { oneLine } from '../shared/errors.js';
import type { AgentEvent } from './events.js';
import type { AgentFigures } from '../../sessions/records.js';
import { whileRunning } from './event-channel.js';
import { READ_OUTPUT, readOutput } from './local-tools.js';
import type { Run } from './run.js';
import { callSignature } from './stop-conditions.js';
import { runTaskCall } from './task-call.js';
import { checkTaskArgs, isReadTask, TASK, type TaskRequest } from './task-tool.js';

type Outcome = 'interrupted' | 'denied' | 'cancelled';
type Skip = ToolCallResult & { outcome?: 'denied' | 'cancelled' };
type Executed = ToolCallResult & { outcome?: 'denied' | 'cancelled'; agent?: AgentFigures };

const CANCELLED = 'the call was cancelled by the user before it finished; its effects are unknown';

/**
 * Splits the calls of one message into batches that keep their order: runs of
 * read-only calls (read subagents included) form one parallel batch, every
 * other call is a batch alone.
 */
export function batches(calls: readonly ParsedToolCall[], tools: ReadonlyMap<string, ToolDescriptor>): ParsedToolCall[][] {
  const result: ParsedToolCall[][] = [];
  let parallel: ParsedToolCall[] = [];
  for (const call of calls) {
    const tool = tools.get(call.name);
    if (tool?.annotations.readOnlyHint === true || (tool === TASK && isReadTask(call.args))) {
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

export async function* runBatch(run: Run, batch: ParsedToolCall[], replayed = false): AsyncGenerator<AgentEvent, void> {
  const { deps, state } = run;
  const prepared: { call: ParsedToolCall; tool?: ToolDescriptor; task?: TaskRequest; skip?: Skip }[] = [];
  for (const call of batch) {
    const tool = run.byName.get(call.name);
    run.noteCall(callSignature(call.name, call.args));
    const task = tool === TASK ? checkTaskArgs(call.args, deps.agentMode !== undefined) : undefined;
    if (call.argumentError) {
      prepared.push({ call, skip: { isError: true, text: `${call.argumentError}; call ${call.name} again with a JSON object` } });
    } else if (!tool) {
      prepared.push({
        call,
        skip: { isError: true, text: `unknown tool "${call.name}"; available tools: ${[...run.byName.keys()].join(', ')}` },
      });
    } else if (task && !task.ok) {
      prepared.push({ call, tool, skip: { isError: true, text: task.error } });
    } else if (deps.agentMode === 'read' && tool !== TASK && tool.annotations.readOnlyHint !== true) {
      const text = `${tool.name} is not available: this sub-agent is read-only; finish with a report that says what should change`;
      prepared.push({ call, tool, skip: { isError: true, text, outcome: 'denied' } });
    } else if (deps.stop(run.progress())?.code === 'max_tool_calls') {
      prepared.push({ call, tool, skip: { isError: true, text: 'not run: the tool-call budget was reached', outcome: 'cancelled' } });
    } else {
      // The call is reserved in the shared account before it runs, so parallel subagents never overshoot the budget together.
      run.budget.charge({ toolCalls: 1 });
      // A task is not approved itself: each call of its child is.
      const approval = task ? ({ run: true } as const) : await deps.approvals.check(tool, call.id, call.args, run.signal);
      if (approval.run) prepared.push({ call, tool, ...(task?.ok ? { task: task.task } : {}) });
      else {
        run.budget.charge({ toolCalls: -1 });
        prepared.push({ call, tool, skip: { isError: true, text: approval.message, outcome: 'denied' } });
      }
    }
  }

  const runnable = prepared.filter((item) => !item.skip);
  for (const { call, tool } of runnable) {
    run.append({ kind: 'tool_start', callId: call.id, name: call.name, replayable: isReplayable(tool!) });
    yield run.event({ type: 'tool_start', callId: call.id, name: call.name, arguments: call.arguments, ...(replayed ? { replayed } : {}) });
  }
  if (runnable.some(({ tool }) => !isReplayable(tool!))) deps.session.sync('side_effect');

  const started = run.clock();
  // Subagents' events come out while the batch runs.
  const results: Executed[] = yield* whileRunning((emit) =>
    Promise.all(
      prepared.map(async (item): Promise<Executed> => {
        if (item.skip) return item.skip;
        if (item.task) return runTaskCall(run, item.call, item.task, emit);
        return executeTool(run, item.tool!, item.call);
      }),
    ),
  );
  const durationMs = run.clock() - started;
  for (let i = 0; i < prepared.length; i++) {
    const { call } = prepared[i]!;
    const result = results[i]!;
    const outcome = 'outcome' in result ? (result.outcome as 'denied' | 'cancelled' | undefined) : undefined;
    const recorded = recordResult(run, call, result, durationMs, outcome, result.agent);
    yield run.event({
      type: 'tool_end',
      callId: call.id,
      name: call.name,
      isError: result.isError,
      content: recorded,
      durationMs,
      ...(outcome ? { outcome } : {}),
      toolCalls: state.toolCalls,
    });
  }
}

/**
 * Closes the calls a crash left open: a call that never started, or that may
 * run again (read-only or idempotent), runs now; any other call gets a result
 * saying it was interrupted and its effects are unknown. Calls of the same
 * message that already have their result keep it. Nothing runs twice silently.
 */
export async function* closeOpenCalls(run: Run): AsyncGenerator<AgentEvent, void> {
  const { state } = run;
  const toRun: ParsedToolCall[] = [];
  for (const open of state.openCalls) {
    if (state.heldResults.has(open.call.id)) continue;
    const call = toParsedCall(open.call, open.argumentError);
    if (open.started && !open.replayable) {
      const text = `this call was interrupted (the session stopped while it ran); its effects are unknown: check before repeating it`;
      const content = recordResult(run, call, { isError: true, text }, 0, 'interrupted');
      yield run.event({ type: 'tool_end', callId: call.id, name: call.name, isError: true, content, durationMs: 0, outcome: 'interrupted', toolCalls: state.toolCalls });
    } else {
      toRun.push(call);
    }
  }
  for (const batch of batches(toRun, run.byName)) yield* runBatch(run, batch, true);
}

async function executeTool(run: Run, tool: ToolDescriptor, call: ParsedToolCall): Promise<ToolCallResult & { outcome?: 'cancelled' }> {
  const { deps, signal } = run;
  if (tool === READ_OUTPUT) return readOutput(deps.session, call.args, deps.outputLimit);
  try {
    const result = await deps.tools.call(tool.name, call.args, { signal });
    if (signal.aborted) return { isError: true, text: CANCELLED, outcome: 'cancelled' };
    return result;
  } catch (error) {
    if (signal.aborted) return { isError: true, text: CANCELLED, outcome: 'cancelled' };
    return { isError: true, text: `the ${tool.server} tool server failed: ${oneLine(error)}` };
  }
}

/** Journals a call's result (a large output goes to a blob, its head and tail to the prompt); returns the prompt text. */
function recordResult(run: Run, call: ParsedToolCall, result: ToolCallResult, durationMs: number, outcome?: Outcome, agent?: AgentFigures): string {
  const { deps, state } = run;
  let content = result.text;
  let blob;
  if (content.length > deps.outputLimit) {
    blob = deps.session.putBlob(content);
    content = cutForPrompt(content, deps.outputLimit, blob.id).text;
  }
  run.append({
    kind: 'tool_end',
    callId: call.id,
    name: call.name,
    isError: result.isError,
    content,
    ...(blob ? { blob } : {}),
    durationMs,
    ...(outcome ? { outcome } : {}),
    ...(agent ? { agent } : {}),
  });
  return content;
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
