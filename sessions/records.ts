/**
 * The record kinds of a session journal. One record a line; the envelope (seq,
 * time, checksum) is added by the journal writer. The conversation is a fold of
 * these records (src/agent/fold.ts), live and on resume alike.
 */
import type { AssistantToolCall, EndpointInfo, FinishReason, Usage } from '../src/model/types.js';

export type SessionStatus = 'running' | 'done' | 'failed' | 'budget' | 'interrupted';

export interface BlobRef {
  /** File name under the session's blobs/ directory. */
  id: string;
  bytes: number;
}

/** What a child session (subagent) spent, as its parent records it. */
export interface AgentFigures {
  /** The child's directory name under the parent's `agents/`. */
  id: string;
  status: Exclude<SessionStatus, 'running'>;
  turns: number;
  toolCalls: number;
  /** prefilledTokens: absent in journals written before it was recorded (then the prompt less the cached). */
  usage: { promptTokens: number; completionTokens: number; cachedTokens: number; prefilledTokens?: number };
  durationMs: number;
}

export type RecordBody =
  | {
      kind: 'session_start';
      sessionId: string;
      version: string;
      task: string;
      cwd: string;
      workspace: string;
      endpoint: EndpointInfo;
      sandbox: string;
      thinking: boolean;
      systemPrompt: string;
      /** Tool names in request order (the full specs are rebuilt from the tool host). */
      tools: string[];
      gitHead?: string;
      /** Non-secret settings worth knowing on resume (budgets, approval policy). */
      settings: Record<string, unknown>;
      /** Set only in a fork's view of its history (sessions/lineage.ts), never written: whose prefix it goes on from. */
      forkOf?: { parent: string; atTurn: number };
    }
  /** `origin: 'endure'`: a note endure added (a continuation request), not the user's words. */
  | { kind: 'user'; content: string; origin?: 'endure' }
  | {
      kind: 'assistant';
      turn: number;
      content: string;
      reasoning?: string;
      toolCalls?: AssistantToolCall[];
      /** Calls whose arguments could not be parsed: callId → error text. */
      argumentErrors?: Record<string, string>;
      finish: FinishReason;
      usage?: Usage;
      /** Milliseconds spent waiting on the model for this message. */
      modelMs?: number;
      /** Milliseconds it reasoned: from its first reasoning delta to its first answer delta, or to the end. */
      reasoningMs?: number;
    }
  | {
      kind: 'tool_start';
      callId: string;
      name: string;
      /** May run again after a crash (readOnlyHint or idempotentHint). */
      replayable: boolean;
    }
  | {
      kind: 'tool_end';
      callId: string;
      name: string;
      isError: boolean;
      /** The text that goes into the prompt (already cut to head and tail when large). */
      content: string;
      /** The whole output, when it was too large to keep inline. */
      blob?: BlobRef;
      durationMs: number;
      /** Set when the call did not run to completion (interrupted by a crash, denied, cancelled). */
      outcome?: 'interrupted' | 'denied' | 'cancelled';
      /** A `task` call's child session and what it spent (counted in this session's totals). */
      agent?: AgentFigures;
    }
  | {
      kind: 'compaction';
      /** Summary text that replaces the records up to and including `throughSeq`. */
      summary: string;
      throughSeq: number;
      state?: Record<string, unknown>;
    }
  /** The workspace at the end of a turn that ran a tool that may change files: a tree in the session's checkpoint store. */
  | { kind: 'checkpoint'; ref: string; turn?: number }
  /**
   * The workspace was restored to checkpoint `tree` and the conversation goes on
   * from the end of turn `toTurn`: the records through `throughSeq` as they stood
   * then (sessions/history.ts). Nothing before it is removed.
   */
  | { kind: 'rewind'; toTurn: number; throughSeq: number; tree: string }
  /**
   * The first record of a fork's journal (sessions/lineage.ts): the session goes
   * on from session `parent`'s history through its record `throughSeq` (the end
   * of turn `atTurn`), which is read from the parent's journal, never copied. The
   * fork's own records continue its seqs (this one is `throughSeq + 1`).
   */
  | {
      kind: 'fork';
      sessionId: string;
      parent: string;
      atTurn: number;
      throughSeq: number;
      /** The workspace at the end of turn `atTurn` (checkpoint tree), when there was one. */
      tree?: string;
      /** The directory the fork works in: the parent's, or its own worktree. */
      workspace: string;
      /** The fork's own git worktree (`--worktree`), else it works in the parent's workspace. */
      worktree?: { base: string; branch: string };
    }
  /** A resume talks to another endpoint than the session's last one (cli.md: detected afresh, recorded). */
  | { kind: 'endpoint'; endpoint: EndpointInfo; previous: EndpointInfo }
  /** llama-server's KV cache saved to or restored from a slot file (`--slot-save-path`). */
  | {
      kind: 'slot';
      action: 'save' | 'restore';
      /** File name in the server's slot-save directory. */
      file: string;
      slot: number;
      /** Tokens the file holds. */
      tokens: number;
      bytes: number;
      ms: number;
      /** Hash of the rendered request prefix the file covers (what a restore must match to be reused). */
      prefixHash?: string;
      /** Messages of the conversation the saved prompt covers (the hash is of these). */
      messages?: number;
      /** Why it was saved: a clean stop, a compaction ahead, or the periodic save. */
      reason?: string;
    }
  | { kind: 'error'; code: string; message: string }
  | {
      kind: 'end';
      status: Exclude<SessionStatus, 'running'>;
      result?: string;
      reason?: string;
    };

export type RecordKind = RecordBody['kind'];

export interface RecordEnvelope {
  seq: number;
  /** Epoch milliseconds. */
  t: number;
}

export type JournalRecord = RecordEnvelope & RecordBody;
