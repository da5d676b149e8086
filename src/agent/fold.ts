/**
 * The conversation as a fold of journal records. The live loop applies every
 * record it appends through `applyRecord`, and resume applies the records it
 * reads through the same function, so the first request after a resume is
 * byte-identical to the one the uninterrupted loop would have sent.
 *
 * Applying a record is O(1) amortised (O(kept messages) only at a compaction),
 * and the state keeps the message objects that are sent, never copies per turn.
 */
import type { JournalRecord } from '../../sessions/records.js';
import type { AssistantToolCall, ChatMessage, Usage } from '../model/types.js';
import type { UsageTotals } from './events.js';

/** A call of the latest assistant message that has no result yet. */
export interface OpenCall {
  call: AssistantToolCall;
  started: boolean;
  replayable: boolean;
  /** Why the arguments could not be parsed, when they could not. */
  argumentError?: string;
}

export interface ConversationState {
  sessionId: string;
  task: string;
  /** The messages sent to the model: the system prompt first. */
  messages: ChatMessage[];
  /** The journal seq each message came from (parallel to `messages`). */
  messageSeqs: number[];
  turns: number;
  toolCalls: number;
  usage: UsageTotals;
  /** Prompt + completion tokens of the last response: the context's exact size then. */
  lastPromptTokens: number;
  lastUsage?: Usage;
  /** Tool calls of the latest assistant message still waiting for their results, in call order. */
  openCalls: OpenCall[];
  /** Results that arrived for open calls, held until every call of the message has one (keeps call order). */
  heldResults: Map<string, ChatMessage>;
  lastAnswer: string;
  lastSeq: number;
  ended?: Extract<JournalRecord, { kind: 'end' }>;
  compactions: number;
}

export function emptyState(): ConversationState {
  return {
    sessionId: '',
    task: '',
    messages: [],
    messageSeqs: [],
    turns: 0,
    toolCalls: 0,
    usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    lastPromptTokens: 0,
    openCalls: [],
    heldResults: new Map(),
    lastAnswer: '',
    lastSeq: 0,
    compactions: 0,
  };
}

function push(state: ConversationState, message: ChatMessage, seq: number): void {
  state.messages.push(message);
  state.messageSeqs.push(seq);
}

function flushHeldResults(state: ConversationState, seq: number): void {
  if (state.openCalls.some((open) => !state.heldResults.has(open.call.id))) return;
  for (const open of state.openCalls) push(state, state.heldResults.get(open.call.id)!, seq);
  state.openCalls = [];
  state.heldResults.clear();
}

/** The summary message that stands in for compacted history. */
export function summaryMessage(summary: string): ChatMessage {
  return { role: 'user', content: `[Summary of the earlier part of this session]\n${summary}` };
}

export function applyRecord(state: ConversationState, record: JournalRecord): void {
  state.lastSeq = record.seq;
  switch (record.kind) {
    case 'session_start':
      state.sessionId = record.sessionId;
      state.task = record.task;
      state.messages = [];
      state.messageSeqs = [];
      push(state, { role: 'system', content: record.systemPrompt }, record.seq);
      return;
    case 'user':
      state.ended = undefined;
      push(state, { role: 'user', content: record.content }, record.seq);
      return;
    case 'assistant': {
      const message: ChatMessage = { role: 'assistant', content: record.content };
      if (record.reasoning) message.reasoning = record.reasoning;
      if (record.toolCalls?.length) message.tool_calls = record.toolCalls;
      push(state, message, record.seq);
      state.turns = Math.max(state.turns, record.turn);
      state.lastAnswer = record.content;
      state.openCalls = (record.toolCalls ?? []).map((call) => {
        const argumentError = record.argumentErrors?.[call.id];
        return { call, started: false, replayable: false, ...(argumentError ? { argumentError } : {}) };
      });
      state.heldResults.clear();
      if (record.usage) {
        state.lastUsage = record.usage;
        state.usage.promptTokens += record.usage.promptTokens;
        state.usage.completionTokens += record.usage.completionTokens;
        state.usage.cachedTokens += record.usage.cachedTokens ?? 0;
        state.lastPromptTokens = record.usage.promptTokens + record.usage.completionTokens;
      }
      return;
    }
    case 'tool_start': {
      const open = state.openCalls.find((candidate) => candidate.call.id === record.callId);
      if (open) {
        open.started = true;
        open.replayable = record.replayable;
      }
      return;
    }
    case 'tool_end':
      if (record.outcome !== 'denied' && record.outcome !== 'cancelled') state.toolCalls += 1;
      state.heldResults.set(record.callId, { role: 'tool', tool_call_id: record.callId, content: record.content });
      flushHeldResults(state, record.seq);
      return;
    case 'compaction': {
      const keepFrom = state.messageSeqs.findIndex((seq, index) => index > 0 && seq > record.throughSeq);
      const keptMessages = keepFrom === -1 ? [] : state.messages.slice(keepFrom);
      const keptSeqs = keepFrom === -1 ? [] : state.messageSeqs.slice(keepFrom);
      state.messages = [state.messages[0]!, summaryMessage(record.summary), ...keptMessages];
      state.messageSeqs = [state.messageSeqs[0]!, record.seq, ...keptSeqs];
      state.lastPromptTokens = 0;
      state.compactions += 1;
      return;
    }
    case 'end':
      state.ended = record;
      return;
    case 'checkpoint':
    case 'error':
      return;
    default: {
      const exhaustive: never = record;
      throw new Error(`unknown journal record ${JSON.stringify(exhaustive)}`);
    }
  }
}

export function foldRecords(records: Iterable<JournalRecord>): ConversationState {
  const state = emptyState();
  for (const record of records) applyRecord(state, record);
  return state;
}
