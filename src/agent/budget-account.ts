/**
 * One budget account for a session and its subagents. The tool calls and
 * tokens they spend, and the moment the run started, are kept in one place, so
 * `--max-tool-calls`, `--max-tokens` and `--deadline` cover the parent and its
 * children together. Every loop charges what it spends as it spends it, and
 * checks the shared stop condition against the account's totals with its own
 * turns and its own recent calls (turns and loop detection stay per agent).
 */
import type { LoopProgress, StopCondition, StopReason } from './stop-conditions.js';

export interface Spending {
  toolCalls?: number;
  tokens?: number;
}

export class BudgetAccount {
  /** Tool calls of the session so far (its journal's count when the run began, plus what was charged since). */
  toolCalls: number;
  /** Prompt + completion tokens reported during this run, by every agent. */
  tokens = 0;

  constructor(
    readonly stop: StopCondition,
    /** When this run started (the deadline counts from it), epoch ms. */
    readonly startedAt: number,
    /** Tool calls the session had made before this run. */
    toolCallsBefore = 0,
  ) {
    this.toolCalls = toolCallsBefore;
  }

  charge(spent: Spending): void {
    this.toolCalls += spent.toolCalls ?? 0;
    this.tokens += spent.tokens ?? 0;
  }

  /** The progress one agent checks: the account's totals, its own turns and calls in a row. */
  progress(turns: number, recentCalls: readonly string[], now: number): LoopProgress {
    return { turns, toolCalls: this.toolCalls, tokens: this.tokens, startedAt: this.startedAt, now, recentCalls };
  }

  check(turns: number, recentCalls: readonly string[], now: number): StopReason | undefined {
    return this.stop(this.progress(turns, recentCalls, now));
  }
}
