/**
 * The scripted model for sessions with subagents: the parent and each child
 * answer from their own script. A request is routed by its conversation: a
 * child's first user message ends with its own prompt, so the first script
 * whose key that message contains answers it; any other request is the
 * parent's. Within a script the step is chosen by the number of assistant
 * messages already in the request (as planModel does), so a resumed child
 * continues its script where its journal left off.
 *
 *   const model = agentScripts({
 *     parent: [{ toolCalls: [call('task', { description: 'a', prompt: 'find A' })] }, { content: 'done' }],
 *     children: { 'find A': [{ content: 'A is in a.ts' }] },
 *   });
 *   server.respondWith(model.decide);
 *   model.log;   // every request and answer in order, with its route and turn
 *
 * The log is what proves concurrency: two children overlap when both of their
 * requests appear before either answer. `meeting(n)` holds answers until n
 * requests have met (so a parallel run always shows the overlap, and a
 * sequential one shows none: its lone request is answered after `fallbackMs`).
 */
import type { ReceivedRequest, Step } from './scripted-server.js';
import type { PlanStep } from './e2e-fixtures.js';

export interface AgentScripts {
  parent: readonly PlanStep[];
  /** Child scripts by a text their prompt contains. */
  children?: Record<string, readonly PlanStep[]>;
  /** The parent's answer past the end of its script. @default 'All done.' */
  final?: string;
  /** Hold every answer this long (a server that takes time per answer). @default 0 */
  answerDelayMs?: number;
}

export interface LogEntry {
  /** 'parent' or the child script's key. */
  route: string;
  /** Assistant messages already in the conversation. */
  turn: number;
  event: 'request' | 'answer';
  /** The server's request number. */
  index: number;
}

export interface ScriptedAgents {
  decide: (request: ReceivedRequest) => Promise<Step>;
  readonly log: LogEntry[];
  /** The requests each route received, in order. */
  requestsOf(route: string): ReceivedRequest[];
}

type Message = { role: string; content: string };

/** The script key a request belongs to ('parent' when no child key matches). */
export function routeOf(request: ReceivedRequest, keys: readonly string[]): string {
  const first = (request.body.messages as Message[]).find((message) => message.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  return keys.find((key) => text.includes(key)) ?? 'parent';
}

function assistantTurns(request: ReceivedRequest): number {
  return (request.body.messages as Message[]).filter((message) => message.role === 'assistant').length;
}

/** A filesystem-safe, unique prefix for a route's call ids. */
function idPrefix(route: string, keys: readonly string[]): string {
  return route === 'parent' ? 'p' : `c${keys.indexOf(route)}`;
}

export function agentScripts(scripts: AgentScripts): ScriptedAgents {
  const keys = Object.keys(scripts.children ?? {});
  const log: LogEntry[] = [];
  const received = new Map<string, ReceivedRequest[]>();
  return {
    log,
    requestsOf: (route) => received.get(route) ?? [],
    async decide(request) {
      const route = routeOf(request, keys);
      const turn = assistantTurns(request);
      log.push({ route, turn, event: 'request', index: request.index });
      received.set(route, [...(received.get(route) ?? []), request]);
      const plan = route === 'parent' ? scripts.parent : scripts.children![route]!;
      const entry = plan[turn];
      const fallback = route === 'parent' ? (scripts.final ?? 'All done.') : `Report of ${route}.`;
      let step: Step = entry === undefined ? { content: fallback } : typeof entry === 'function' ? await entry(request) : entry;
      if ((step.type === undefined || step.type === 'turn') && step.toolCalls) {
        const prefix = idPrefix(route, keys);
        step = { ...step, toolCalls: step.toolCalls.map((c, i) => ({ ...c, id: c.id ?? `${prefix}_call_${turn}_${i}` })) };
      }
      if (scripts.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, scripts.answerDelayMs));
      log.push({ route, turn, event: 'answer', index: request.index });
      return step;
    },
  };
}

/**
 * A meeting point: each `hold(step)` answers only once `size` requests have
 * arrived at it, or after `fallbackMs` (so a run that never sends them together
 * is not stuck, and its log shows that its requests did not overlap).
 */
export function meeting(size: number, fallbackMs = 5_000): { hold(step: Step): PlanStep } {
  let arrived = 0;
  let release!: () => void;
  const everyone = new Promise<void>((resolve) => (release = resolve));
  return {
    hold: (step) => async () => {
      arrived += 1;
      if (arrived >= size) release();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([everyone, new Promise<void>((resolve) => (timer = setTimeout(resolve, fallbackMs)))]);
      clearTimeout(timer);
      return step;
    },
  };
}

/** True when some request of every route in `routes` came before the first answer to any of them. */
export function overlapped(log: readonly LogEntry[], routes: readonly string[]): boolean {
  const firstAnswer = log.findIndex((entry) => entry.event === 'answer' && routes.includes(entry.route));
  if (firstAnswer === -1) return false;
  const before = log.slice(0, firstAnswer);
  return routes.every((route) => before.some((entry) => entry.route === route && entry.event === 'request'));
}
