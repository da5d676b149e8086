/**
 * What the loop is given (model, tools, journal, state, budgets, signal) and
 * what it returns. Passed in whole, so the loop knows nothing of Ink, stdout
 * or which Qwen server it talks to.
 */
import type { TokenEstimator } from '../context/tokens.js';
import type { ToolHost } from '../mcp/types.js';
import type { ModelClient } from '../model/types.js';
import type { ApprovalGate } from './approval.js';
import type { SteeringInbox } from './controls.js';
import type { AgentEventBody, EndStatus } from './events.js';
import type { ConversationState } from './fold.js';
import type { SessionSink } from './session-sink.js';
import type { StopCondition } from './stop-conditions.js';
import type { BudgetAccount } from './budget-account.js';
import type { Subagents } from './subagents.js';
import type { TaskMode } from './task-tool.js';

/** The facts of `session_start` the loop cannot know (endpoint, sandbox); the loop adds the task. */
export type SessionStartInfo = Omit<Extract<AgentEventBody, { type: 'session_start' }>, 'type' | 'task'>;

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
  /**
   * Given on the first run of the session in this process: the run opens with a
   * `session_start` event built from it (later runs, one per UI message, do not repeat it).
   */
  sessionStart?: SessionStartInfo;
  steering?: SteeringInbox;
  /** The session's checkpoint store; without it no checkpoints are taken. */
  checkpoints?: { snapshot(): Promise<string> };
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
  /**
   * The account the budgets draw from. A child shares its parent's, so the
   * budgets cover both. @default a new one for the run, from the session's count
   */
  budget?: BudgetAccount;
  /** How the loop answers `task` calls (subagents); without it there is no `task` tool. */
  subagents?: Subagents;
  /** Set when this loop runs a subagent: its mode. A child cannot start children; a read child only reads. */
  agentMode?: TaskMode;
  /** The system prompt as it would be built now (instruction files read again); a compaction adopts it. */
  systemPrompt?: () => string;
  /** Set by /compact during a run: the loop compacts before its next turn, whatever the fill. */
  compactRequest?: CompactRequest;
  /** Compaction settings; without them the loop never compacts. */
  compaction?: {
    estimator: TokenEstimator;
    contextWindow: number;
    /** Fraction of the window at which to compact. */
    threshold: number;
  };
}

/** A one-shot request to compact, taken (and cleared) by the loop at a turn boundary. */
export interface CompactRequest {
  take(): boolean;
}

export interface LoopResult {
  status: EndStatus;
  result: string;
  reason?: string;
  errorCode?: string;
}
