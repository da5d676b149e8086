/**
 * Stop conditions: small predicates over the loop's progress that compose.
 * Each returns a reason when the loop must stop, or undefined to go on. The loop
 * checks them before every model request and after every tool call.
 */

export interface LoopProgress {
  /** Turns (model responses) in this session, resumed ones included. */
  turns: number;
  /** Tool calls in this session. */
  toolCalls: number;
  /** Prompt + completion tokens reported by the server during this run. */
  tokens: number;
  /** When this run (not the session) started, epoch ms. */
  startedAt: number;
  now: number;
  /** Signatures (tool name + canonical arguments) of the most recent calls, newest last. */
  recentCalls: readonly string[];
}

export interface StopReason {
  /** Stable name for scripts: max_turns, max_tool_calls, max_tokens, deadline, repeated_call. */
  code: string;
  message: string;
}

export type StopCondition = (progress: LoopProgress) => StopReason | undefined;

export function maxTurns(limit: number): StopCondition {
  return (p) =>
    p.turns >= limit
      ? { code: 'max_turns', message: `reached the turn budget (${limit} turns); resume with a higher --max-turns to go on` }
      : undefined;
}

export function maxToolCalls(limit: number): StopCondition {
  return (p) =>
    p.toolCalls >= limit
      ? {
          code: 'max_tool_calls',
          message: `reached the tool-call budget (${limit} calls); resume with a higher --max-tool-calls to go on`,
        }
      : undefined;
}

export function maxTokens(limit: number): StopCondition {
  return (p) =>
    p.tokens >= limit
      ? { code: 'max_tokens', message: `reached the token budget (${p.tokens} of ${limit} tokens); resume with a higher --max-tokens to go on` }
      : undefined;
}

export function deadline(durationMs: number): StopCondition {
  return (p) =>
    p.now - p.startedAt >= durationMs
      ? { code: 'deadline', message: `reached the deadline (${Math.round(durationMs / 1000)} s); resume to go on` }
      : undefined;
}

/**
 * The same call (same tool, same arguments) `times` times in a row is a loop.
 * Different calls that happen to use the same tool are not.
 */
export function repeatedCall(times: number): StopCondition {
  return (p) => {
    const recent = p.recentCalls;
    if (recent.length < times) return undefined;
    const last = recent[recent.length - 1];
    for (let i = recent.length - times; i < recent.length; i++) if (recent[i] !== last) return undefined;
    return {
      code: 'repeated_call',
      message: `the model made the same call ${times} times in a row (${last!.slice(0, 120)}); stopped as a loop`,
    };
  };
}

export function anyOf(...conditions: StopCondition[]): StopCondition {
  return (p) => {
    for (const condition of conditions) {
      const reason = condition(p);
      if (reason) return reason;
    }
    return undefined;
  };
}

export interface Budgets {
  maxTurns?: number;
  maxToolCalls?: number;
  maxTokens?: number;
  deadlineMs?: number;
  /** Identical calls in a row that count as a loop. @default 5 */
  repeatLimit?: number;
}

export function stopConditionFor(budgets: Budgets): StopCondition {
  const conditions: StopCondition[] = [repeatedCall(budgets.repeatLimit ?? 5)];
  if (budgets.maxTurns !== undefined) conditions.push(maxTurns(budgets.maxTurns));
  if (budgets.maxToolCalls !== undefined) conditions.push(maxToolCalls(budgets.maxToolCalls));
  if (budgets.maxTokens !== undefined) conditions.push(maxTokens(budgets.maxTokens));
  if (budgets.deadlineMs !== undefined) conditions.push(deadline(budgets.deadlineMs));
  return anyOf(...conditions);
}

/** A call's identity for loop detection: the tool and its canonical arguments. */
export function callSignature(name: string, args: Record<string, unknown>): string {
  return `${name} ${canonicalJson(args)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
