/**
 * The loop's side of a `task` call: the child runs the parent's loop with the
 * parent's model, tools, approvals and budget account, and its own session,
 * conversation and compaction estimate. Read children each hold one of the
 * `--max-agents` slots while they run; write children run one at a time
 * because each is a batch of its own.
 */
import { TokenEstimator } from '../context/tokens.js';
import type { ToolCallResult } from '../mcp/types.js';
import type { ParsedToolCall } from '../model/types.js';
import type { AgentFigures } from '../../sessions/records.js';
import type { AgentEvent } from './events.js';
import type { LoopDeps } from './loop-deps.js';
import type { Run } from './run.js';
import { runTask, type ChildLoop } from './subagents.js';
import type { TaskRequest } from './task-tool.js';

export type TaskCallResult = ToolCallResult & { agent: AgentFigures; outcome?: 'cancelled' };

export async function runTaskCall(run: Run, call: ParsedToolCall, task: TaskRequest, emit: (event: AgentEvent) => void): Promise<TaskCallResult> {
  const { deps } = run;
  const subagents = deps.subagents!;
  // What a child does not inherit: the parent's session start, steering, tool-list changes, and subagents of its own.
  const { sessionStart: _start, steering: _steering, applyToolChanges: _changes, subagents: _subagents, compaction, ...inherited } = deps;
  const childLoop: ChildLoop = (child) => {
    const childDeps: LoopDeps = {
      ...inherited,
      model: subagents.model ?? inherited.model,
      session: child.session,
      state: child.state,
      signal: child.signal,
      budget: run.budget,
      agentMode: child.mode,
      ...(compaction ? { compaction: { ...compaction, estimator: new TokenEstimator() } } : {}),
    };
    return subagents.runLoop(childDeps, child.input);
  };
  const work = () =>
    runTask(
      { sessions: subagents.sessions, childLoop, budget: run.budget, clock: run.clock },
      { id: call.id, turn: run.state.turns, parentSession: run.state.sessionId },
      task,
      run.signal,
      emit,
    );
  const outcome = task.mode === 'read' ? await subagents.slots.run(work) : await work();
  return { ...outcome.result, agent: outcome.agent, ...(run.signal.aborted ? { outcome: 'cancelled' as const } : {}) };
}
