/**
 * Subagents: the loop answers a `task` call by running a child session. A
 * child is a session of its own under the parent's directory (its journal,
 * lock and blobs), so it survives a kill like any session: running the call
 * again after a crash continues the child from its journal, and a child that
 * already ended gives its recorded answer without a new request. Its events
 * reach the parent's consumers tagged with its id and the parent's call id;
 * its answer comes back with one line of figures, and the figures go into the
 * parent's tool_end record, so the parent's totals count the child's work.
 */
import type { AgentFigures, JournalRecord } from '../../sessions/records.js';
import type { ToolCallResult } from '../mcp/types.js';
import type { ModelClient } from '../model/types.js';
import { oneLine } from '../shared/errors.js';
import { childMessage } from './child-prompt.js';
import type { AgentEvent, EndStatus } from './events.js';
import { foldRecords, type ConversationState } from './fold.js';
import type { BudgetAccount } from './budget-account.js';
import type { LoopDeps, LoopResult } from './loop-deps.js';
import type { SessionSink } from './session-sink.js';
import type { TaskMode, TaskRequest } from './task-tool.js';

/** A child's open session: what the loop writes to, its first record, and its records read again. */
export interface ChildSession extends SessionSink {
  readonly id: string;
  readonly start: { readonly t: number };
  history(): Iterable<JournalRecord>;
  close(): void;
}

export interface ChildStart {
  /** The child's first message (its task). */
  task: string;
  description: string;
  mode: TaskMode;
  parentCallId: string;
}

/** Where children live: `<parent session>/agents/<id>/`. */
export interface ChildSessions {
  /** The existing child `id`, opened for writing; undefined when there is none. */
  open(id: string): ChildSession | undefined;
  create(id: string, start: ChildStart): ChildSession;
}

/** What a child loop run ends with (the loop's own result). */
export interface ChildOutcome {
  status: EndStatus;
  result: string;
  reason?: string;
}

/** Runs the loop of one child on its session; `input` is its first message (absent when it resumes). */
export type ChildLoop = (child: {
  session: ChildSession;
  state: ConversationState;
  input: string | undefined;
  mode: TaskMode;
  signal: AbortSignal;
}) => AsyncGenerator<AgentEvent, ChildOutcome>;

/** What the loop needs to answer `task` calls. */
export interface Subagents {
  sessions: ChildSessions;
  /** Bounds the read children that run at the same time (--max-agents). */
  slots: Slots;
  /** The client children talk to, when not the parent's (a parent's llama-server slot keeping is its own). */
  model?: ModelClient;
  /** The loop a child runs (the parent's own; passed in so the parts of the loop do not import it). */
  runLoop: (deps: LoopDeps, input?: string) => AsyncGenerator<AgentEvent, LoopResult>;
}

export interface TaskOutcome {
  result: ToolCallResult;
  agent: AgentFigures;
}

/** The child's directory name: the parent's turn and call id (unique in the session, stable across a resume). */
export function childIdFor(turn: number, callId: string): string {
  return `t${turn}-${callId.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 120);
}

/**
 * Runs (or continues, or recalls) the child of one `task` call. Never throws:
 * a child that crashes comes back as an error result, and the parent goes on.
 */
export async function runTask(
  run: { sessions: ChildSessions; childLoop: ChildLoop; budget: BudgetAccount; clock: () => number },
  call: { id: string; turn: number; parentSession: string },
  task: TaskRequest,
  signal: AbortSignal,
  emit: (event: AgentEvent) => void,
): Promise<TaskOutcome> {
  const { sessions, clock } = run;
  const id = childIdFor(call.turn, call.id);
  const started = clock();
  let session: ChildSession | undefined;
  let state: ConversationState | undefined;
  let outcome: ChildOutcome;
  try {
    session = sessions.open(id);
    const input = childMessage(task.mode, task.prompt);
    session ??= sessions.create(id, { task: input, description: task.description, mode: task.mode, parentCallId: call.id });
    state = foldRecords(session.history());
    // Calls a child made before a crash are not in the parent's count yet (its task has no result): they are now.
    run.budget.charge({ toolCalls: state.toolCalls });
    const ended = state.ended;
    if (ended && ended.status !== 'interrupted' && state.openCalls.length === 0) {
      outcome = { status: ended.status, result: ended.result ?? state.lastAnswer, ...(ended.reason ? { reason: ended.reason } : {}) };
    } else {
      // A child that died before its first message was written starts it now; otherwise it continues.
      const hasTask = state.messages.some((message) => message.role === 'user');
      const loop = run.childLoop({ session, state, input: hasTask ? undefined : input, mode: task.mode, signal });
      for (let next = await loop.next(); ; next = await loop.next()) {
        if (next.done) {
          outcome = next.value;
          break;
        }
        emit({ ...next.value, session: call.parentSession, agent_id: id, parent_call_id: call.id });
      }
    }
  } catch (error) {
    outcome = { status: 'failed', result: state?.lastAnswer ?? '', reason: `the sub-agent crashed: ${oneLine(error)}` };
  } finally {
    try {
      session?.close();
    } catch {
      // the child's journal is closed best effort; its records are already written
    }
  }
  const agent = figuresOf(id, outcome.status, state, session?.start.t ?? started, clock());
  return { result: resultOf(outcome, agent), agent };
}

function figuresOf(id: string, status: EndStatus, state: ConversationState | undefined, startedAt: number, now: number): AgentFigures {
  return {
    id,
    status,
    turns: state?.turns ?? 0,
    toolCalls: state?.toolCalls ?? 0,
    usage: { ...(state?.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }) },
    durationMs: Math.max(0, now - startedAt),
  };
}

/** The child's answer and one line of figures; an error result unless it finished its sub-task. */
function resultOf(outcome: ChildOutcome, agent: AgentFigures): ToolCallResult {
  const line = figuresLine(agent);
  if (outcome.status === 'done') return { isError: false, text: `${outcome.result.trim() || '(the sub-agent gave no report)'}\n\n[${line}]` };
  const why = outcome.reason ?? outcome.status;
  const partial = outcome.result.trim() ? `\nIts last words:\n${outcome.result.trim()}` : '';
  const what =
    outcome.status === 'budget'
      ? `the sub-agent stopped at a budget: ${why}`
      : outcome.status === 'interrupted'
        ? `the sub-agent was interrupted: ${why}`
        : `the sub-agent failed: ${why}`;
  return { isError: true, text: `${what}${partial}\n\n[${line}]` };
}

/** `sub-agent t1-call_0 · done · 3 turns · 5 tool calls · 12,345 tokens · 4.1 s` */
export function figuresLine(agent: AgentFigures): string {
  const tokens = agent.usage.promptTokens + agent.usage.completionTokens;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `sub-agent ${agent.id}`,
    agent.status,
    plural(agent.turns, 'turn'),
    plural(agent.toolCalls, 'tool call'),
    `${tokens.toLocaleString('en-US')} tokens`,
    `${(agent.durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
}

/** At most `limit` holders at a time; the rest wait in order. */
export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
