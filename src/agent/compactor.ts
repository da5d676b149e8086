/**
 * Compaction: when the conversation nears the context window (or the server
 * reports an overflow), older turns are replaced by a summary the model writes
 * with a dedicated prompt. Kept verbatim: the system prompt, the original task,
 * the recent turns, and the structured task state, re-injected every time.
 * When the summary fails or is too big, the oldest tool outputs are dropped
 * instead; a compaction that frees nothing is not tried again for the same
 * conversation, so it never loops.
 */
import { COMPACTION_SYSTEM_PROMPT, parseCompactionAnswer, renderTranscript } from '../context/compaction-prompt.js';
import type { TokenEstimator } from '../context/tokens.js';
import type { ChatMessage, ModelClient, ModelRequest, ToolSpec } from '../model/types.js';
import { oneLine } from '../shared/errors.js';
import type { RecordBody } from '../../sessions/records.js';
import type { ConversationState, TaskState } from './fold.js';

export interface CompactorOptions {
  model: ModelClient;
  estimator: TokenEstimator;
  contextWindow: number;
  /** Fraction of the window at which to compact. @default 0.8 */
  threshold: number;
  /** Fraction of the window the recent turns may keep verbatim. @default 0.3 */
  keepRecent?: number;
  signal: AbortSignal;
  /**
   * The loop's tools. With them, and when the conversation still fits the window,
   * the summary request is the main request plus one trailing system note (same
   * system prompt, same tools, tool_choice "none"): the server serves its whole
   * prefix from the cache. A server or template that rejects it gets the
   * dedicated request without tools instead.
   */
  tools?: readonly ToolSpec[];
  /** False after an overflow: the conversation itself does not fit, so only the dedicated request can work. @default true */
  fits?: boolean;
  /**
   * The loop's request as it stands, in estimated tokens (tools included). The request that
   * keeps the main prefix is that plus a note, and is sent only when that fits the window.
   * @default unknown: taken to fit unless `fits` is false
   */
  requestTokens?: number;
}

export interface CompactionOutcome {
  record: Extract<RecordBody, { kind: 'compaction' }>;
  droppedMessages: number;
  usedFallback: boolean;
  warning?: string;
}

function keptChars(message: ChatMessage): number {
  return message.content.length + (message.role === 'assistant' ? JSON.stringify(message).length : 0);
}

/** Index of the first message kept verbatim: a user or assistant message, so no tool result loses its call. */
export function keepFrom(messages: readonly ChatMessage[], keepChars: number): number {
  let chars = 0;
  let boundary = messages.length;
  for (let i = messages.length - 1; i > 1; i--) {
    chars += keptChars(messages[i]!);
    if (chars > keepChars) break;
    if (messages[i]!.role !== 'tool') boundary = i;
  }
  return boundary;
}

/** Share of the window the recent turns keep verbatim. */
export const KEEP_RECENT = 0.3;

/** Below this much room for the transcript, the dedicated summary request is not worth sending. */
const MIN_TRANSCRIPT_CHARS = 2000;

/** Files named in the task state: the latest ones, so a session that touched thousands stays bounded. */
const FILES_SHOWN = 40;

function filesTouched(files: readonly string[]): string {
  const shown = files.slice(-FILES_SHOWN).join(', ');
  return files.length > FILES_SHOWN ? `${shown} (and ${files.length - FILES_SHOWN} earlier files)` : shown;
}

export function renderTaskState(state: TaskState): string {
  const list = (items: string[]) => (items.length ? items.map((item) => `- ${item}`).join('\n') : '- (none)');
  return [
    `Goal (the original task, verbatim):\n${state.goal}`,
    state.rules.length ? `Rules and follow-ups the user gave:\n${list(state.rules)}` : '',
    `Done:\n${list(state.done)}`,
    `Remaining:\n${list(state.remaining)}`,
    state.nextStep ? `Next step: ${state.nextStep}` : '',
    state.filesTouched.length ? `Files touched: ${filesTouched(state.filesTouched)}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function answerOf(options: CompactorOptions, request: ModelRequest): Promise<string> {
  let answer = '';
  for await (const event of options.model.stream(request)) if (event.type === 'finish') answer = event.message.content;
  return answer;
}

/** The dedicated request: its own system prompt and the dropped part as a plain transcript. */
function summarise(options: CompactorOptions, stateText: string, transcript: string): Promise<string> {
  return answerOf(options, {
    messages: [
      { role: 'system', content: COMPACTION_SYSTEM_PROMPT },
      { role: 'user', content: `${stateText}${transcript}` },
    ],
    tools: [],
    toolChoice: 'none',
    purpose: 'compaction',
    signal: options.signal,
  });
}

/**
 * The request that keeps the main prefix: the conversation as the loop sends it
 * and a trailing system note (a system message, not a user one: Qwen3's template
 * drops the reasoning of earlier turns after a new user message, which would
 * change the prefix from the current task's first answer on).
 */
function inPlaceNote(verbatim: number, taskState: TaskState): string {
  return [
    COMPACTION_SYSTEM_PROMPT.replace('Read the transcript', 'Read the conversation above'),
    `Summarise everything before the last ${verbatim} messages of the conversation (they stay verbatim). Do not call tools.`,
    `Current task state:\n${renderTaskState(taskState)}`,
  ].join('\n\n');
}

function summariseInPlace(options: CompactorOptions, messages: readonly ChatMessage[], note: string): Promise<string> {
  return answerOf(options, {
    messages: [...messages, { role: 'system', content: note }],
    tools: options.tools ?? [],
    toolChoice: 'none',
    purpose: 'compaction',
    signal: options.signal,
  });
}

/** A deterministic summary: what was called, without the outputs. */
function fallbackSummary(messages: readonly ChatMessage[]): string {
  const calls: string[] = [];
  for (const message of messages)
    if (message.role === 'assistant')
      for (const call of message.tool_calls ?? []) calls.push(`${call.function.name} ${call.function.arguments.slice(0, 120)}`);
  const shown = calls.slice(-60);
  return [
    'The outputs of earlier tool calls were dropped to free context. Calls made, oldest first:',
    ...(calls.length > shown.length ? [`(${calls.length - shown.length} earlier calls not listed)`] : []),
    ...shown.map((call) => `- ${call}`),
  ].join('\n');
}

/**
 * Builds the compaction record for the current conversation, or undefined when
 * nothing can be compacted (too few messages to drop).
 */
export async function compact(state: ConversationState, options: CompactorOptions): Promise<CompactionOutcome | undefined> {
  // At most half of the history stays verbatim: an overflow the server reports
  // while the estimate says the window is far from full must still free room.
  const historyChars = state.messages.reduce((sum, message, index) => (index === 0 ? sum : sum + keptChars(message)), 0);
  const keepChars = Math.min(options.estimator.ratio * options.contextWindow * (options.keepRecent ?? KEEP_RECENT), historyChars / 2);
  const boundary = keepFrom(state.messages, keepChars);
  if (boundary <= 2) return undefined;
  const dropped = state.messages.slice(1, boundary);
  const throughSeq = state.messageSeqs[boundary - 1]!;
  const windowChars = options.estimator.ratio * options.contextWindow;
  const maxSummaryChars = Math.floor(windowChars * 0.15);
  // Neither summary request is sent over the window: the one that keeps the prefix only when the
  // conversation and its note fit, the dedicated one with a transcript cut to what the task state leaves.
  const note = inPlaceNote(state.messages.length - boundary, state.taskState);
  const inPlaceFits = options.fits !== false && (options.requestTokens === undefined || options.requestTokens + options.estimator.tokensFor(note.length) <= options.contextWindow);
  const stateText = `Current task state:\n${renderTaskState(state.taskState)}\n\nTranscript to compact:\n`;
  const transcriptBudget = Math.floor(Math.min(windowChars * 0.5, windowChars * 0.85 - COMPACTION_SYSTEM_PROMPT.length - stateText.length));

  let summary: string | undefined;
  let modelState: { done?: string[]; remaining?: string[]; nextStep?: string } | undefined;
  let warning: string | undefined;
  try {
    let answer: string | undefined;
    if (options.tools?.length && inPlaceFits) {
      answer = await summariseInPlace(options, state.messages, note).catch((error: unknown) => {
        if (options.signal.aborted) throw error;
        return undefined;
      });
    }
    if (answer === undefined && transcriptBudget < MIN_TRANSCRIPT_CHARS) {
      warning = 'the task state (the task and your messages, kept verbatim) leaves no room in the context window for a summary request; dropped old tool outputs instead';
    } else {
      answer ??= await summarise(options, stateText, renderTranscript(dropped, transcriptBudget));
      const parsed = parseCompactionAnswer(answer);
      if (parsed.summary && parsed.summary.length <= maxSummaryChars) summary = parsed.summary;
      else warning = parsed.summary ? 'the compaction summary was too long; dropped old tool outputs instead' : 'the compaction answer had no summary; dropped old tool outputs instead';
      modelState = parsed.state;
    }
  } catch (error) {
    if (options.signal.aborted) throw error;
    warning = `the compaction request failed (${oneLine(error)}); dropped old tool outputs instead`;
  }
  const taskState: TaskState = { ...state.taskState, ...modelState };
  const body = [
    renderTaskState(taskState),
    `Summary of the work so far:\n${summary ?? fallbackSummary(dropped)}`,
  ].join('\n\n');
  return {
    record: {
      kind: 'compaction',
      summary: body,
      throughSeq,
      state: { done: taskState.done, remaining: taskState.remaining, nextStep: taskState.nextStep },
    },
    droppedMessages: dropped.length,
    usedFallback: summary === undefined,
    ...(warning ? { warning } : {}),
  };
}
