/**
 * What one run of the loop shares between its parts (turn stream, tool batch,
 * compaction step): the dependencies, the folded conversation, the tools the
 * model sees, and the run's own progress. A run is one `runLoop` call; the
 * session outlives it (the UI starts one run per message).
 */
import type { RecordBody } from '../../sessions/records.js';
import type { ToolDescriptor } from '../mcp/types.js';
import type { ToolSpec } from '../model/types.js';
import type { AgentEvent, AgentEventBody } from './events.js';
import { applyRecord } from './fold.js';
import type { LoopDeps } from './loop-deps.js';
import { BudgetAccount } from './budget-account.js';
import { READ_OUTPUT } from './local-tools.js';
import { TASK } from './task-tool.js';
import type { LoopProgress } from './stop-conditions.js';
import { toToolSpecs } from './tool-specs.js';

/** Identical calls kept for loop detection. */
const RECENT_CALLS = 16;

export class Run {
  readonly clock: () => number;
  readonly startedAt: number;
  /** The tool calls and tokens spent (shared with subagents): what the budgets are checked against. */
  readonly budget: BudgetAccount;
  /** Conversation size at the last compaction attempt: the same size is never compacted twice. */
  charsAtLastCompaction = -1;
  /** A checkpoint failed in this run: no more attempts (one warning). */
  checkpointsFailed = false;
  private readonly recentCalls: string[] = [];
  // The tools the model sees; rebuilt only at a compaction (a safe point for the prefix cache).
  byName = new Map<string, ToolDescriptor>();
  specs: ToolSpec[] = [];
  specsChars = 0;

  constructor(readonly deps: LoopDeps) {
    this.clock = deps.clock ?? Date.now;
    this.startedAt = this.clock();
    this.budget = deps.budget ?? new BudgetAccount(deps.stop, this.startedAt, deps.state.toolCalls);
    this.loadTools();
  }

  get state() {
    return this.deps.state;
  }

  get signal() {
    return this.deps.signal;
  }

  /**
   * An event in the session's envelope. `seq` is the journal position: the seq of
   * the record the event reports, or of the last record before a transient event
   * (a delta, a heartbeat, a retry). It never decreases over the session, across
   * runs and resumes, and a replay of the journal gives the same seq.
   */
  event(body: AgentEventBody): AgentEvent {
    const state = this.deps.state;
    return { session: state.sessionId, turn: state.turns, seq: state.lastSeq, time: this.clock(), ...body } as AgentEvent;
  }

  /** Journals a record, then folds it into the conversation. */
  append(body: RecordBody): void {
    applyRecord(this.deps.state, this.deps.session.append(body));
  }

  loadTools(): void {
    // A child sees the task tool too (and is refused when it calls it): the same list keeps the prefix cache warm.
    const local = this.deps.subagents || this.deps.agentMode ? [READ_OUTPUT, TASK] : [READ_OUTPUT];
    const descriptors: ToolDescriptor[] = [...this.deps.tools.tools(), ...local];
    this.byName = new Map(descriptors.map((tool) => [tool.name, tool]));
    this.specs = toToolSpecs(descriptors);
    this.specsChars = JSON.stringify(this.specs).length;
  }

  /** The size of the next request: conversation plus tool specs. */
  requestChars(): number {
    return this.deps.state.chars + this.specsChars;
  }

  noteCall(signature: string): void {
    this.recentCalls.push(signature);
    if (this.recentCalls.length > RECENT_CALLS) this.recentCalls.shift();
  }

  /** Progress against the budgets: this agent's turns and recent calls, the shared account's calls, tokens and start. */
  progress(): LoopProgress {
    return this.budget.progress(this.deps.state.turns, this.recentCalls, this.clock());
  }
}
