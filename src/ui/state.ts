/**
 * The view state of a session and the pure reducer that folds each AgentEvent into
 * it. Finished items go to an append-only log (drawn once through `<Static>`); the
 * live turn keeps only bounded tails of the streaming text and the running tools, so
 * the cost of an event is the same at event 100 and at event 100,000.
 */
import type { AgentEvent, EndStatus } from '../agent/events.js';
import type { ApprovalRequest, SessionDriver } from '../agent/controls.js';
import { prefilledOf } from '../model/usage.js';
import { splitAttachments } from '../context/mentions.js';
import { appendTo, emptyLog, type AppendLog } from './append-log.js';
import type { ApprovalDiff } from './approval-diff.js';
import { reasoningItem, toolItem, type FinishedItem, type NewItem } from './finished-item.js';
import { appendTail, clip, formatTokens } from './format.js';
import { EMPTY_LINE, type LineState } from './line-editor.js';
import type { RewindView } from './rewind-view.js';
import { parseArguments, summarizeToolCall } from './tool-summary.js';

/** Streamed text kept for the live turn; older text is already off screen. */
export const LIVE_TAIL_CHARS = 4000;
/** Tool output kept for the expandable result panel. */
export const RESULT_PANEL_CHARS = 20_000;

export interface RunningTool {
  callId: string;
  name: string;
  summary: string;
  arguments: string;
  startedAt: number;
  progress?: string;
  /** For a `task` call: what its subagent is doing (shown under the task's line until it ends). */
  agent?: AgentActivity;
}

/** A running subagent as its task line shows it. */
export interface AgentActivity {
  /** The child's current tool call, if one runs. */
  currentTool?: string;
  turns: number;
  toolCalls: number;
  tokens: number;
}

export interface LiveTurn {
  /** Last LIVE_TAIL_CHARS of the streaming reasoning. */
  reasoning: string;
  reasoningChars: number;
  /** When the reasoning began and ended (event times), for "thought for 3.2s". */
  reasoningStartedAt?: number;
  reasoningEndedAt?: number;
  /** Last LIVE_TAIL_CHARS of the streaming answer. */
  answer: string;
  answerChars: number;
  tools: readonly RunningTool[];
  retry?: { attempt: number; delayMs: number; reason: string };
  waitingMs?: number;
}

export interface StatusFigures {
  sessionId: string;
  model: string;
  server: string;
  sandbox: string;
  contextWindow?: number;
  budgets: SessionDriver['info']['budgets'];
  turn: number;
  toolCalls: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Prompt tokens the server had to process, in all and for the last request. */
  prefilledTokens: number;
  lastPrefilled?: number;
  contextTokens: number;
  /** Time of the first event of this run (epoch ms). */
  startedAt?: number;
  lastEventAt?: number;
}

export type Phase = 'idle' | 'running' | 'closing';

export interface ViewState {
  finished: AppendLog<FinishedItem>;
  live: LiveTurn;
  status: StatusFigures;
  /** Steering messages typed while the agent worked and not yet taken by the loop. */
  queued: readonly string[];
  /** The latest finished tool result, shown whole when the result panel is open. */
  lastResult?: { summary: string; content: string; isError: boolean };
  reasoningShown: boolean;
  resultShown: boolean;
  phase: Phase;
  /** The approval on screen, if any (the first of those waiting). */
  approval?: ApprovalRequest;
  /** Its file diff, read once when it was shown (edit tools). */
  approvalDiff?: ApprovalDiff;
  /** Ctrl+C was pressed once; a second press quits. */
  quitArmed: boolean;
  /** Esc was pressed once on an empty prompt while idle; a second press opens /rewind. */
  escArmed: boolean;
  /** /rewind on screen (in place of the prompt box), at its current step. */
  rewind?: RewindView;
  draft: LineState;
  /** Status of the last run that ended. */
  ended?: EndStatus;
  /** A message was sent in this session (the prompt box then asks for a follow-up). */
  conversed: boolean;
  /** Replaces the status bar's note (the approval policy after /approval). */
  note?: string;
}

export const EMPTY_LIVE: LiveTurn = { reasoning: '', reasoningChars: 0, answer: '', answerChars: 0, tools: [] };

export function initialViewState(info: SessionDriver['info']): ViewState {
  return {
    finished: emptyLog(),
    live: EMPTY_LIVE,
    status: {
      sessionId: info.sessionId,
      model: info.model,
      server: info.server,
      sandbox: info.sandbox,
      ...(info.contextWindow === undefined ? {} : { contextWindow: info.contextWindow }),
      budgets: info.budgets,
      turn: 0,
      toolCalls: 0,
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      prefilledTokens: 0,
      contextTokens: 0,
    },
    queued: [],
    reasoningShown: false,
    resultShown: false,
    phase: 'idle',
    quitArmed: false,
    escArmed: false,
    draft: EMPTY_LINE,
    conversed: false,
  };
}

export function finish(state: ViewState, item: NewItem): ViewState {
  return { ...state, finished: appendTo(state.finished, { ...item, key: state.finished.count } as FinishedItem) };
}

export function reduceEvent(state: ViewState, event: AgentEvent): ViewState {
  if (event.parent_call_id !== undefined) return applyChildEvent(state, event, event.parent_call_id);
  return applyBody(stamp(state, event), event);
}

/**
 * A subagent's event updates the line of the `task` call that started it (its
 * current tool and figures); its calls count in the session's. Nothing of it
 * enters the finished log: the task's own result does when the child ends.
 */
function applyChildEvent(state: ViewState, event: AgentEvent, parentCallId: string): ViewState {
  const task = state.live.tools.find((tool) => tool.callId === parentCallId);
  if (!task) return state;
  const agent: AgentActivity = task.agent ?? { turns: 0, toolCalls: 0, tokens: 0 };
  let next: AgentActivity = agent;
  let toolCalls = state.status.toolCalls;
  switch (event.type) {
    case 'tool_start':
      next = { ...agent, currentTool: summarizeToolCall(event.name, parseArguments(event.arguments), 60) };
      break;
    case 'tool_end': {
      const { currentTool: _done, ...rest } = agent;
      next = { ...rest, toolCalls: agent.toolCalls + 1 };
      toolCalls += 1;
      break;
    }
    case 'assistant_message':
      next = { ...agent, turns: agent.turns + 1 };
      break;
    case 'usage':
      next = { ...agent, tokens: event.totals.promptTokens + event.totals.completionTokens };
      break;
    default:
      return state;
  }
  const tools = state.live.tools.map((tool) => (tool.callId === parentCallId ? { ...tool, agent: next } : tool));
  return { ...state, live: { ...state.live, tools }, status: { ...state.status, toolCalls } };
}

function stamp(state: ViewState, event: AgentEvent): ViewState {
  const status = state.status;
  return {
    ...state,
    status: {
      ...status,
      sessionId: event.session === '' ? status.sessionId : event.session,
      turn: Math.max(status.turn, event.turn),
      startedAt: status.startedAt ?? event.time,
      lastEventAt: event.time,
    },
  };
}

function applyBody(state: ViewState, event: AgentEvent): ViewState {
  const live = state.live;
  switch (event.type) {
    case 'session_start': {
      const status = {
        ...state.status,
        model: event.model,
        server: event.server,
        sandbox: event.sandbox,
        ...(event.contextWindow === undefined ? {} : { contextWindow: event.contextWindow }),
      };
      const verb = event.resumed
        ? 'resumed'
        : event.forkOf
          ? `started as a fork of ${event.forkOf.parent} at turn ${event.forkOf.atTurn} (the turns up to it are ${event.forkOf.parent}'s)`
          : 'started';
      const instructions = event.instructions === undefined || event.instructions.length === 0 ? '' : ` · instructions ${event.instructions.join(', ')}`;
      return finish({ ...state, status }, { kind: 'session', text: `session ${event.session} ${verb} · ${event.model} on ${event.server} · sandbox ${event.sandbox} · ${event.workspace}${instructions}` });
    }
    case 'user_message': {
      const queued = event.steering ? withoutQueued(state.queued, event.content) : state.queued;
      const { text, attachments } = splitAttachments(event.content);
      return finish({ ...state, queued, conversed: true }, { kind: 'user', text, steering: event.steering === true, ...(attachments.length > 0 ? { attachments } : {}) });
    }
    case 'turn_start':
      return { ...state, live: { ...EMPTY_LIVE, tools: live.tools } };
    case 'reasoning_delta':
      return {
        ...state,
        live: { ...calm(live), reasoning: appendTail(live.reasoning, event.text, LIVE_TAIL_CHARS), reasoningChars: live.reasoningChars + event.text.length, reasoningStartedAt: live.reasoningStartedAt ?? event.time },
      };
    case 'content_delta':
      return { ...state, live: { ...reasoningEnded(calm(live), event.time), answer: appendTail(live.answer, event.text, LIVE_TAIL_CHARS), answerChars: live.answerChars + event.text.length } };
    case 'assistant_message': {
      let next: ViewState = { ...state, live: { ...EMPTY_LIVE, tools: live.tools } };
      const reasoning = event.reasoning ?? '';
      // The loop's own measure when the event carries it (live, and a journal that recorded it), else what the deltas showed.
      const thoughtMs = event.reasoningMs ?? (live.reasoningStartedAt === undefined ? undefined : (live.reasoningEndedAt ?? event.time) - live.reasoningStartedAt);
      if (reasoning.trim() !== '') next = finish(next, reasoningItem(reasoning, state.reasoningShown, thoughtMs));
      if (event.content.trim() !== '') next = finish(next, { kind: 'answer', text: event.content, partial: false });
      return next;
    }
    case 'model_retry': {
      const retry = { attempt: event.attempt, delayMs: event.delayMs, reason: event.reason };
      if (!event.discardedChars) return { ...state, live: { ...live, retry } };
      // The failed attempt's partial answer leaves the screen with a notice; it was never part of the conversation.
      const notice = finish(state, { kind: 'notice', level: 'warning', text: `discarded a partial answer (${event.discardedChars} characters): ${event.reason}` });
      return { ...notice, live: { ...EMPTY_LIVE, retry } };
    }
    case 'waiting':
      return { ...state, live: { ...live, waitingMs: event.elapsedMs } };
    case 'tool_start': {
      const summary = summarizeToolCall(event.name, parseArguments(event.arguments));
      const tool: RunningTool = { callId: event.callId, name: event.name, summary: event.replayed ? `${summary} (again, after a restart)` : summary, arguments: event.arguments, startedAt: event.time };
      return { ...state, live: { ...calm(live), tools: [...live.tools.filter((t) => t.callId !== event.callId), tool] } };
    }
    case 'tool_progress': {
      const progress = event.message ?? (event.total === undefined ? `${event.progress}` : `${event.progress}/${event.total}`);
      const tools = live.tools.map((tool) => (tool.callId === event.callId ? { ...tool, progress: clip(progress, 80) } : tool));
      return { ...state, live: { ...live, tools } };
    }
    case 'tool_end': {
      const running = live.tools.find((tool) => tool.callId === event.callId);
      const item = toolItem({ ...event, arguments: running?.arguments });
      const content = event.content.length > RESULT_PANEL_CHARS ? `${event.content.slice(0, RESULT_PANEL_CHARS)}\n… (${event.content.length - RESULT_PANEL_CHARS} more characters)` : event.content;
      const next: ViewState = {
        ...state,
        live: { ...live, tools: live.tools.filter((tool) => tool.callId !== event.callId) },
        // The session's count when the event carries it (one fold: denied and cancelled calls do not count).
        status: { ...state.status, toolCalls: event.toolCalls ?? state.status.toolCalls + 1 },
        lastResult: { summary: item.kind === 'tool' ? item.summary : event.name, content, isError: event.isError },
      };
      return finish(next, item);
    }
    case 'approval_request':
    case 'checkpoint':
      return state;
    case 'rewind':
      return finish(state, { kind: 'notice', level: 'info', text: `rewound to the end of turn ${event.toTurn}: files and conversation as they were then` });
    case 'compaction':
      return finish({ ...state, status: { ...state.status, contextTokens: event.contextAfter } }, {
        kind: 'notice',
        level: 'info',
        text: `context compacted: ${event.droppedMessages} messages → a summary of ${event.summaryChars} characters (${formatTokens(event.contextBefore)} → ${formatTokens(event.contextAfter)} tokens)`,
      });
    case 'usage':
      return {
        ...state,
        status: {
          ...state.status,
          promptTokens: event.totals.promptTokens,
          completionTokens: event.totals.completionTokens,
          cachedTokens: event.totals.cachedTokens,
          prefilledTokens: event.totals.prefilledTokens ?? 0,
          lastPrefilled: prefilledOf(event.usage),
          contextTokens: event.contextTokens,
        },
      };
    case 'warning':
      return finish(state, { kind: 'notice', level: 'warning', text: event.message });
    case 'error':
      return finish(state, { kind: 'notice', level: 'error', text: `${event.message} (${event.code})` });
    case 'session_end': {
      let next: ViewState = { ...state, live: EMPTY_LIVE, ended: event.status };
      if (live.answer.trim() !== '') next = finish(next, { kind: 'answer', text: live.answer, partial: true });
      next = {
        ...next,
        status: { ...next.status, turn: Math.max(next.status.turn, event.turns), toolCalls: Math.max(next.status.toolCalls, event.toolCalls) },
      };
      return finish(next, {
        kind: 'end',
        status: event.status,
        ...(event.reason === undefined ? {} : { reason: event.reason }),
        turns: event.turns,
        toolCalls: event.toolCalls,
        durationMs: event.durationMs,
      });
    }
    default:
      return assertNever(event);
  }
}

function reasoningEnded(live: LiveTurn, time: number): LiveTurn {
  return live.reasoningStartedAt === undefined || live.reasoningEndedAt !== undefined ? live : { ...live, reasoningEndedAt: time };
}

/** A retry or wait notice ends when output flows again. */
function calm(live: LiveTurn): LiveTurn {
  if (live.retry === undefined && live.waitingMs === undefined) return live;
  const { retry: _retry, waitingMs: _waiting, ...rest } = live;
  return rest;
}

/** The loop may pass several queued messages as one: drop every one it carried, else the oldest. */
function withoutQueued(queued: readonly string[], content: string): readonly string[] {
  if (queued.length === 0) return queued;
  const left = queued.filter((message) => !content.includes(message));
  return left.length < queued.length ? left : queued.slice(1);
}

function assertNever(value: never): never {
  throw new Error(`unhandled event: ${JSON.stringify(value)}`);
}
