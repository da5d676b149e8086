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
import { READ_OUTPUT } from './local-tools.js';
import type { LoopProgress } from './stop-conditions.js';
import { toToolSpecs } from './tool-specs.js';

/** Identical calls kept for loop detection. */
const RECENT_CALLS = 16;

export class Run {
  readonly clock: () => number;
  readonly startedAt: number;
  /** Prompt + completion tokens reported during this run (the --max-tokens budget). */
  tokens = 0;
  /** Conversation size at the last compaction attempt: the same size is never compacted twice. */
  charsAtLastCompaction = -1;
  private readonly recentCalls: string[] = [];
  // The tools the model sees; rebuilt only at a compaction (a safe point for the prefix cache).
  byName = new Map<string, ToolDescriptor>();
  specs: ToolSpec[] = [];
  specsChars = 0;

  constructor(readonly deps: LoopDeps) {
    this.clock = deps.clock ?? Date.now;
    this.startedAt = this.clock();
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
    const descriptors: ToolDescriptor[] = [...this.deps.tools.tools(), READ_OUTPUT];
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

  progress(): LoopProgress {
    const state = this.deps.state;
    return {
      turns: state.turns,
      toolCalls: state.toolCalls,
      tokens: this.tokens,
      startedAt: this.startedAt,
      now: this.clock(),
      recentCalls: this.recentCalls,
    };
  }
}
