/**
 * The counts of a session, folded from its journal in ONE place: the json
 * result, `sessions list`, `sessions show`, the UI and replay all read these,
 * so they agree on the same journal (cli.md: "The counts are the same").
 *
 * - turns: the highest turn number (one per model response, never reused);
 * - toolCalls: calls that ran or were started, so an interrupted call counts and a
 *   denied or cancelled one does not; a subagent's calls count in its parent's;
 * - usage: every response's tokens, a subagent's included.
 * Each fold is O(1) per record.
 */
import { addUsage, prefilledOf, type UsageSums } from '../src/model/usage.js';
import type { JournalRecord } from './records.js';

export interface SessionFigures {
  turns: number;
  toolCalls: number;
  usage: Required<UsageSums>;
}

export function emptyFigures(): SessionFigures {
  return { turns: 0, toolCalls: 0, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0, prefilledTokens: 0 } };
}

/** Folds one record into `figures` (in place). */
export function foldFigures(figures: SessionFigures, record: JournalRecord): void {
  if (record.kind === 'assistant') {
    figures.turns = Math.max(figures.turns, record.turn);
    if (record.usage) addUsage(figures.usage, record.usage);
  } else if (record.kind === 'tool_end') {
    if (record.outcome !== 'denied' && record.outcome !== 'cancelled') figures.toolCalls += 1;
    if (record.agent) {
      figures.toolCalls += record.agent.toolCalls;
      figures.usage.promptTokens += record.agent.usage.promptTokens;
      figures.usage.completionTokens += record.agent.usage.completionTokens;
      figures.usage.cachedTokens += record.agent.usage.cachedTokens;
      figures.usage.prefilledTokens += prefilledOf(record.agent.usage);
    }
  }
}
