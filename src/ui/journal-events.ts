/**
 * Journal records → the AgentEvents the loop emitted while writing them, so a
 * recorded session plays through the same UI as a live one. Assistant messages are
 * split back into reasoning and content deltas spread over the time the model took.
 */
import type { AgentEvent, AgentEventBody } from '../agent/events.js';
import type { JournalRecord } from '../../sessions/records.js';
import { emptyFigures, foldFigures } from '../../sessions/figures.js';
import { recordedInstructionFiles } from '../context/instructions.js';

/** @default at most 120 deltas per streamed text. */
export const MAX_DELTAS_PER_TEXT = 120;

export async function* journalToEvents(records: Iterable<JournalRecord> | AsyncIterable<JournalRecord>): AsyncGenerator<AgentEvent> {
  const converter = new RecordConverter(true);
  for await (const record of records) yield* converter.convert(record);
}

/** The same events without the streamed deltas: what a finished history needs, at a cost per record. */
export function* finishedEvents(records: Iterable<JournalRecord>): Generator<AgentEvent> {
  const converter = new RecordConverter(false);
  for (const record of records) yield* converter.convert(record);
}

class RecordConverter {
  constructor(private readonly deltas: boolean) {}

  private session = '';
  /** The journal position: events carry the seq of the record they come from, as the live loop's do. */
  private seq = 0;
  private startedAt: number | undefined;
  private lastTime: number | undefined;
  private sessionStarts = 0;
  private contextTokens = 0;
  /** The session's one fold of counts (sessions/figures.ts). */
  private readonly figures = emptyFigures();
  private shownTurn = 0;
  private readonly argumentsById = new Map<string, string>();
  /** Seqs of message records since the last compaction, to count what a compaction replaced. */
  private messageSeqs: number[] = [];

  *convert(record: JournalRecord): Generator<AgentEvent> {
    const previous = this.lastTime ?? record.t;
    this.startedAt ??= record.t;
    this.lastTime = record.t;
    this.seq = record.seq;
    foldFigures(this.figures, record);
    switch (record.kind) {
      case 'session_start': {
        this.session = record.sessionId;
        this.sessionStarts += 1;
        yield this.event(record.t, {
          type: 'session_start',
          resumed: this.sessionStarts > 1,
          model: record.endpoint.model,
          server: record.endpoint.server,
          baseURL: record.endpoint.baseURL,
          sandbox: record.sandbox,
          workspace: record.workspace,
          task: record.task,
          ...(record.endpoint.contextWindow === undefined ? {} : { contextWindow: record.endpoint.contextWindow }),
          ...instructionsOf(record),
          ...(record.forkOf ? { forkOf: record.forkOf } : {}),
        });
        return;
      }
      case 'user':
        this.messageSeqs.push(record.seq);
        yield this.event(record.t, { type: 'user_message', content: record.content });
        return;
      case 'assistant': {
        this.messageSeqs.push(record.seq);
        if (record.turn !== this.shownTurn) {
          this.shownTurn = record.turn;
          yield this.event(previous, { type: 'turn_start' });
        }
        if (this.deltas) yield* this.deltasOf(record, previous);
        const reasoningMs = reasoningTime(record, previous);
        const toolCalls = (record.toolCalls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
        for (const call of toolCalls) this.argumentsById.set(call.id, call.arguments);
        yield this.event(record.t, {
          type: 'assistant_message',
          content: record.content,
          ...(record.reasoning === undefined ? {} : { reasoning: record.reasoning }),
          ...(reasoningMs === undefined ? {} : { reasoningMs }),
          toolCalls,
          ...(record.usage === undefined ? {} : { usage: record.usage }),
        });
        if (record.usage !== undefined) {
          this.contextTokens = record.usage.promptTokens + record.usage.completionTokens;
          yield this.event(record.t, { type: 'usage', usage: record.usage, totals: { ...this.figures.usage }, contextTokens: this.contextTokens });
        }
        return;
      }
      case 'tool_start':
        yield this.event(record.t, { type: 'tool_start', callId: record.callId, name: record.name, arguments: this.argumentsById.get(record.callId) ?? '{}' });
        return;
      case 'tool_end':
        this.messageSeqs.push(record.seq);
        this.argumentsById.delete(record.callId);
        yield this.event(record.t, {
          type: 'tool_end',
          callId: record.callId,
          name: record.name,
          isError: record.isError,
          content: record.content,
          durationMs: record.durationMs,
          ...(record.outcome === undefined ? {} : { outcome: record.outcome }),
          toolCalls: this.figures.toolCalls,
        });
        return;
      case 'compaction': {
        const dropped = this.messageSeqs.filter((seq) => seq <= record.throughSeq).length;
        this.messageSeqs = this.messageSeqs.filter((seq) => seq > record.throughSeq);
        yield this.event(record.t, {
          type: 'compaction',
          summaryChars: record.summary.length,
          droppedMessages: dropped,
          contextBefore: this.contextTokens,
          contextAfter: Math.ceil(record.summary.length / 4),
        });
        return;
      }
      case 'checkpoint':
        yield this.event(record.t, { type: 'checkpoint', tree: record.ref });
        return;
      case 'rewind':
        yield this.event(record.t, { type: 'rewind', toTurn: record.toTurn, tree: record.tree });
        return;
      case 'endpoint':
      case 'slot':
      case 'fork':
        return;
      case 'error':
        yield this.event(record.t, { type: 'error', code: record.code, message: record.message });
        return;
      case 'end':
        yield this.event(record.t, {
          type: 'session_end',
          status: record.status,
          result: record.result ?? '',
          ...(record.reason === undefined ? {} : { reason: record.reason }),
          turns: this.figures.turns,
          toolCalls: this.figures.toolCalls,
          usage: { ...this.figures.usage },
          durationMs: record.t - (this.startedAt ?? record.t),
        });
        return;
      default:
        assertNever(record);
    }
  }

  private *deltasOf(record: AssistantRecord, previous: number): Generator<AgentEvent> {
    const from = modelStart(record, previous);
    const reasoning = chunks(record.reasoning ?? '');
    const content = chunks(record.content);
    const count = reasoning.length + content.length;
    let index = 0;
    for (const text of reasoning) yield this.event(spread(from, record.t, index++, count), { type: 'reasoning_delta', text });
    for (const text of content) yield this.event(spread(from, record.t, index++, count), { type: 'content_delta', text });
  }

  private event(time: number, body: AgentEventBody): AgentEvent {
    return { session: this.session, turn: this.figures.turns, seq: this.seq, time, ...body } as AgentEvent;
  }
}

type AssistantRecord = Extract<JournalRecord, { kind: 'assistant' }>;

/** The instruction files the session's system prompt holds, for its first line. */
function instructionsOf(record: Extract<JournalRecord, { kind: 'session_start' }>): { instructions?: string[] } {
  const files = recordedInstructionFiles(record.settings);
  return files.length === 0 ? {} : { instructions: files };
}

/** When the model began on this message: its recorded wait, bounded by the record before it. */
function modelStart(record: AssistantRecord, previous: number): number {
  return Math.max(previous, record.t - (record.modelMs ?? 0));
}

/**
 * How long the message reasoned: what the loop measured, else (a journal written
 * before it did) the reasoning's share of the model's time, where the replayed
 * deltas put the first answer delta.
 */
function reasoningTime(record: AssistantRecord, previous: number): number | undefined {
  if ((record.reasoning ?? '').trim() === '') return undefined;
  if (record.reasoningMs !== undefined) return record.reasoningMs;
  const from = modelStart(record, previous);
  const reasoning = chunks(record.reasoning ?? '').length;
  return spread(from, record.t, reasoning, reasoning + chunks(record.content).length) - from;
}

function chunks(text: string): string[] {
  if (text === '') return [];
  const size = Math.max(24, Math.ceil(text.length / MAX_DELTAS_PER_TEXT));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function spread(from: number, to: number, index: number, count: number): number {
  return count <= 1 ? to : Math.round(from + ((to - from) * index) / count);
}

function assertNever(value: never): never {
  throw new Error(`unknown journal record: ${JSON.stringify(value)}`);
}
