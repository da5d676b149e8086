/**
 * The conversation as a fold of journal records. The live loop applies every
 * record it appends through `applyRecord`, and resume applies the records it
 * reads through the same function, so the first request after a resume is
 * byte-identical to the one the uninterrupted loop would have sent.
 *
 * Applying a record is O(1) amortised (O(kept messages) only at a compaction),
 * and the state keeps the message objects that are sent, never copies per turn.
 */
import { emptyFigures, foldFigures, type SessionFigures } from '../../sessions/figures.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { AssistantToolCall, ChatMessage, Usage } from '../model/types.js';

/** A call of the latest assistant message that has no result yet. */
export interface OpenCall {
  call: AssistantToolCall;
  started: boolean;
  replayable: boolean;
  /** Why the arguments could not be parsed, when they could not. */
  argumentError?: string;
}

/** The conversation; its counts (turns, toolCalls, usage) are the session's one fold of figures. */
export interface ConversationState extends SessionFigures {
  sessionId: string;
  task: string;
  /** The messages sent to the model: the system prompt first. */
  messages: ChatMessage[];
  /** The journal seq each message came from (parallel to `messages`). */
  messageSeqs: number[];
  /** Prompt + completion tokens of the last response: the context's exact size then. */
  lastPromptTokens: number;
  lastUsage?: Usage;
  /** Tool calls of the latest assistant message still waiting for their results, in call order. */
  openCalls: OpenCall[];
  /** Results that arrived for open calls, held until every call of the message has one (keeps call order). */
  heldResults: Map<string, ChatMessage>;
  lastAnswer: string;
  /** The conversation ends with the model's final answer (no calls, not cut at the output limit): nothing to continue. */
  answered: boolean;
  lastSeq: number;
  /** The workspace tree this line last checkpointed or restored. */
  tree?: string;
  /**
   * The last turn that ran tool calls, while no snapshot has looked at its files
   * since (a kill between its calls and its checkpoint): a run snapshots it first.
   */
  uncheckedTurn?: number;
  ended?: Extract<JournalRecord, { kind: 'end' }>;
  compactions: number;
  /** Characters of all messages: the input of token estimates. */
  chars: number;
  /** The structured task state kept outside the chat and re-injected at every compaction. */
  taskState: TaskState;
}

/** What must survive any compaction: the goal, the user's rules, and the execution frontier. */
export interface TaskState {
  goal: string;
  /** Messages the user sent after the task (follow-ups, steering): rules to keep. */
  rules: string[];
  done: string[];
  remaining: string[];
  nextStep: string;
  filesTouched: string[];
}

const EDIT_TOOLS = new Set(['write_file', 'edit_file', 'multi_edit']);

function messageChars(message: ChatMessage): number {
  let chars = message.content.length + 16;
  if (message.role === 'assistant') {
    chars += message.reasoning?.length ?? 0;
    for (const call of message.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length + 40;
  }
  return chars;
}

function noteFilesTouched(state: ConversationState, calls: readonly AssistantToolCall[]): void {
  for (const call of calls) {
    if (!EDIT_TOOLS.has(call.function.name)) continue;
    try {
      const path = (JSON.parse(call.function.arguments) as { path?: unknown }).path;
      if (typeof path === 'string' && !state.taskState.filesTouched.includes(path)) state.taskState.filesTouched.push(path);
    } catch {
      // unparseable arguments touched nothing
    }
  }
}

export function emptyState(): ConversationState {
  return {
    sessionId: '',
    task: '',
    messages: [],
    messageSeqs: [],
    ...emptyFigures(),
    lastPromptTokens: 0,
    openCalls: [],
    heldResults: new Map(),
    lastAnswer: '',
    answered: false,
    lastSeq: 0,
    compactions: 0,
    chars: 0,
    taskState: { goal: '', rules: [], done: [], remaining: [], nextStep: '', filesTouched: [] },
  };
}

function push(state: ConversationState, message: ChatMessage, seq: number): void {
  state.messages.push(message);
  state.messageSeqs.push(seq);
  state.chars += messageChars(message);
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
  foldFigures(state, record);
  switch (record.kind) {
    case 'session_start':
      state.sessionId = record.sessionId;
      state.task = record.task;
      state.taskState.goal = record.task;
      state.messages = [];
      state.messageSeqs = [];
      state.chars = 0;
      push(state, { role: 'system', content: record.systemPrompt }, record.seq);
      return;
    case 'user':
      state.ended = undefined;
      state.answered = false;
      if (!state.task) {
        // A session opened without a task (the UI's prompt box): its first message is the task.
        state.task = record.content;
        state.taskState.goal = record.content;
      } else if (record.origin === undefined && (state.messages.length > 1 || record.content !== state.task)) state.taskState.rules.push(record.content);
      push(state, { role: 'user', content: record.content }, record.seq);
      return;
    case 'assistant': {
      const message: ChatMessage = { role: 'assistant', content: record.content };
      if (record.reasoning) message.reasoning = record.reasoning;
      if (record.toolCalls?.length) {
        message.tool_calls = record.toolCalls;
        noteFilesTouched(state, record.toolCalls);
        state.uncheckedTurn = record.turn;
      }
      push(state, message, record.seq);
      state.lastAnswer = record.content;
      state.answered = !record.toolCalls?.length && record.finish !== 'length';
      state.openCalls = (record.toolCalls ?? []).map((call) => {
        const argumentError = record.argumentErrors?.[call.id];
        return { call, started: false, replayable: false, ...(argumentError ? { argumentError } : {}) };
      });
      state.heldResults.clear();
      if (record.usage) {
        state.lastUsage = record.usage;
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
      state.heldResults.set(record.callId, { role: 'tool', tool_call_id: record.callId, content: record.content });
      flushHeldResults(state, record.seq);
      return;
    case 'compaction': {
      const keepFrom = state.messageSeqs.findIndex((seq, index) => index > 0 && seq > record.throughSeq);
      const keptMessages = keepFrom === -1 ? [] : state.messages.slice(keepFrom);
      const keptSeqs = keepFrom === -1 ? [] : state.messageSeqs.slice(keepFrom);
      // A compaction may carry a new system prompt (instruction files edited since the session started).
      const system = typeof record.state?.systemPrompt === 'string' ? { role: 'system' as const, content: record.state.systemPrompt } : state.messages[0]!;
      state.messages = [];
      state.messageSeqs = [];
      state.chars = 0;
      push(state, system, record.seq);
      // The summary stands for the records through throughSeq and carries that seq: a later compaction
      // that drops it with some of the messages kept here (compacting again at once) then drops those too.
      push(state, summaryMessage(record.summary), record.throughSeq);
      for (let i = 0; i < keptMessages.length; i++) push(state, keptMessages[i]!, keptSeqs[i]!);
      state.lastPromptTokens = 0;
      state.compactions += 1;
      if (record.state) Object.assign(state.taskState, pickTaskState(record.state));
      return;
    }
    case 'end':
      state.ended = record;
      return;
    case 'rewind':
      // The records before it are already the line it went back to (sessions/history.ts).
      state.ended = undefined;
      state.tree = record.tree;
      delete state.uncheckedTurn;
      return;
    case 'checkpoint':
      state.tree = record.ref;
      delete state.uncheckedTurn;
      return;
    case 'fork':
      // The records before it are the parent's, through the end of the turn forked at.
      state.sessionId = record.sessionId;
      state.ended = undefined;
      if (record.tree) state.tree = record.tree;
      // The parent's files since are not the fork's turn: never snapshot them as its.
      delete state.uncheckedTurn;
      return;
    case 'error':
    case 'endpoint':
    case 'slot':
      return;
    default: {
      const exhaustive: never = record;
      throw new Error(`unknown journal record ${JSON.stringify(exhaustive)}`);
    }
  }
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/** The model-maintained parts of the task state, from a compaction record. */
function pickTaskState(state: Record<string, unknown>): Partial<TaskState> {
  const picked: Partial<TaskState> = {};
  const done = strings(state.done);
  const remaining = strings(state.remaining);
  if (done) picked.done = done;
  if (remaining) picked.remaining = remaining;
  if (typeof state.nextStep === 'string') picked.nextStep = state.nextStep;
  return picked;
}

/**
 * Folds a journal one record at a time, holding only the conversation and,
 * per record, its seq and where its line goes back to: a resumed session never
 * holds its journal. The records of a journal with a rewind are read once
 * more, to fold its current line (rewinds are rare; a long journal has few).
 */
export class JournalFold {
  private readonly first = emptyState();
  /** The seq of each record, in order (increasing). */
  private readonly seqs: number[] = [];
  /** For each record (by position), the position of the record before it in its line (-1 for the first). */
  private readonly previous: number[] = [];
  private rewound = false;

  add(record: JournalRecord): void {
    const position = this.seqs.length;
    this.previous.push(record.kind === 'rewind' ? this.positionOf(record.throughSeq) : position - 1);
    this.seqs.push(record.seq);
    if (record.kind === 'rewind') this.rewound = true;
    applyRecord(this.first, record);
  }

  /**
   * The conversation of the records added: their current line, with the counts
   * of them all. `again` reads the same records once more (more after them are
   * left unread); it is called only when a rewind left records out of the line.
   */
  result(again: () => Iterable<JournalRecord>): ConversationState {
    if (!this.rewound) return this.first;
    const inLine = new Uint8Array(this.seqs.length);
    let count = 0;
    for (let position = this.seqs.length - 1; position >= 0; position = this.previous[position]!) {
      inLine[position] = 1;
      count += 1;
    }
    if (count === this.seqs.length) return this.first;
    const state = emptyState();
    let position = 0;
    for (const record of again()) {
      if (position === this.seqs.length) break;
      if (record.seq !== this.seqs[position]) throw new Error(`the journal changed while it was folded (record ${record.seq} where ${this.seqs[position]} was read)`);
      if (inLine[position] === 1) applyRecord(state, record);
      position += 1;
    }
    if (position < this.seqs.length) throw new Error(`only ${position} of ${this.seqs.length} records came back when they were read again to fold the line a rewind went back to`);
    // Turn numbers are never reused: the counts are the whole journal's, rewound turns included.
    state.turns = this.first.turns;
    state.toolCalls = this.first.toolCalls;
    state.usage = this.first.usage;
    state.lastSeq = this.first.lastSeq;
    return state;
  }

  /** The position of the record with `seq` (-1 when there is none), by binary search. */
  private positionOf(seq: number): number {
    let low = 0;
    let high = this.seqs.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const at = this.seqs[middle]!;
      if (at === seq) return middle;
      if (at < seq) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}

/**
 * The conversation of a journal: its current line (a rewind goes on from the end
 * of an earlier turn), with the counts of the whole journal, rewound turns
 * included (turn numbers are never reused). `records` is iterated a second time
 * when it holds a rewind (an array, or a session's `history()`).
 */
export function foldRecords(records: Iterable<JournalRecord>): ConversationState {
  const fold = new JournalFold();
  for (const record of records) fold.add(record);
  return fold.result(() => records);
}
