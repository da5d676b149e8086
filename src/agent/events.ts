/**
 * The one event stream of a session. The loop yields these; the Ink UI, the
 * headless printers (text, json, stream-json) and `sessions show` consume them.
 * Every event carries the same envelope.
 */
import type { SessionStatus } from '../../sessions/records.js';
import type { Usage } from '../model/types.js';

export interface EventEnvelope {
  session: string;
  turn: number;
  /**
   * The journal position: the seq of the record this event reports, or of the last
   * record before a transient event (delta, heartbeat, retry). Never decreases over
   * the session, across runs and resumes; a replay of the journal gives the same seq.
   */
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  /** Set on the events of a subagent: its id (its directory under the parent's agents/). */
  agent_id?: string;
  /** Set on the events of a subagent: the parent's `task` call that started it. */
  parent_call_id?: string;
}

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Prompt tokens the server had to process (not served from its cache); absent in totals made before it was counted. */
  prefilledTokens?: number;
}

export type EndStatus = Exclude<SessionStatus, 'running'>;

export type AgentEventBody =
  | {
      type: 'session_start';
      resumed: boolean;
      model: string;
      server: string;
      baseURL: string;
      sandbox: string;
      workspace: string;
      task: string;
      contextWindow?: number;
      /** Instruction files (AGENTS.md …) in the system prompt, in order. */
      instructions?: string[];
      /** A fork's parent and the turn it goes on from (its turns up to it are the parent's). */
      forkOf?: { parent: string; atTurn: number };
    }
  | { type: 'user_message'; content: string; steering?: boolean }
  | { type: 'turn_start' }
  | { type: 'reasoning_delta'; text: string }
  | { type: 'content_delta'; text: string }
  | {
      type: 'assistant_message';
      content: string;
      reasoning?: string;
      /** How long it reasoned (the journal's `reasoningMs`): "thought for 3.2s". */
      reasoningMs?: number;
      toolCalls: { id: string; name: string; arguments: string }[];
      usage?: Usage;
    }
  /** `discardedChars`: the failed attempt had shown this much partial output, now discarded (never journaled). */
  | { type: 'model_retry'; attempt: number; delayMs: number; reason: string; discardedChars?: number }
  | { type: 'waiting'; elapsedMs: number }
  | { type: 'tool_start'; callId: string; name: string; arguments: string; replayed?: boolean }
  | { type: 'tool_progress'; callId: string; progress: number; total?: number; message?: string }
  | {
      type: 'tool_end';
      callId: string;
      name: string;
      isError: boolean;
      /** The text the model reads (possibly cut). */
      content: string;
      durationMs: number;
      outcome?: 'interrupted' | 'denied' | 'cancelled';
      /** The session's tool-call count after this result (sessions/figures.ts: denied and cancelled calls do not count). */
      toolCalls?: number;
    }
  | { type: 'approval_request'; callId: string; name: string; arguments: string; summary: string }
  | { type: 'compaction'; summaryChars: number; droppedMessages: number; contextBefore: number; contextAfter: number }
  | { type: 'checkpoint'; tree: string }
  | { type: 'rewind'; toTurn: number; tree: string }
  | { type: 'usage'; usage: Usage; totals: UsageTotals; contextTokens: number }
  | { type: 'warning'; message: string }
  | { type: 'error'; code: string; message: string }
  | {
      type: 'session_end';
      status: EndStatus;
      result: string;
      reason?: string;
      turns: number;
      toolCalls: number;
      usage: UsageTotals;
      durationMs: number;
    };

export type AgentEvent = EventEnvelope & AgentEventBody;
export type AgentEventType = AgentEventBody['type'];
