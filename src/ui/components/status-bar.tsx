/**
 * The status bar: where the session runs (model, server, sandbox, id) and how far
 * it has gone (turn, tool calls, tokens in and out, cached share, context fill,
 * elapsed time, budget left).
 */
import { Box, Text } from 'ink';
import { countOf, formatDuration, formatShare, formatTokens } from '../format.js';
import type { StatusFigures } from '../state.js';

export interface StatusBarProps {
  status: StatusFigures;
  /** Milliseconds since the session's first event in this run. */
  elapsedMs: number;
  /** A last word on the first line: the approval policy, or the replay speed. */
  note?: string;
}

export function StatusBar({ status, elapsedMs, note }: StatusBarProps) {
  const where = [status.model, status.server, `sandbox ${status.sandbox}`, `session ${status.sessionId}`];
  if (note !== undefined) where.push(note);
  const context =
    status.contextWindow === undefined
      ? `context ${formatTokens(status.contextTokens)}`
      : `context ${formatShare(status.contextTokens, status.contextWindow)} of ${formatTokens(status.contextWindow)}`;
  const figures = [
    `turn ${status.turn}`,
    countOf(status.toolCalls, 'tool call'),
    `${formatTokens(status.promptTokens)} in / ${formatTokens(status.completionTokens)} out`,
    `cached ${formatShare(status.cachedTokens, status.promptTokens)}`,
    `prefilled ${status.lastPrefilled === undefined ? '' : `${formatTokens(status.lastPrefilled)} last, `}${formatTokens(status.prefilledTokens)} in all`,
    context,
    formatDuration(elapsedMs),
  ];
  const left = budgetLeft(status, elapsedMs);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">{where.join(' · ')}</Text>
      <Text>
        {figures.join(' · ')}
        {left === '' ? '' : <Text color="yellow">{` · left: ${left}`}</Text>}
      </Text>
    </Box>
  );
}

export function budgetLeft(status: StatusFigures, elapsedMs: number): string {
  const { maxTurns, maxToolCalls, maxTokens, deadlineMs } = status.budgets;
  const parts: string[] = [];
  if (maxTurns !== undefined) parts.push(countOf(Math.max(0, maxTurns - status.turn), 'turn'));
  if (maxToolCalls !== undefined) parts.push(countOf(Math.max(0, maxToolCalls - status.toolCalls), 'tool call'));
  if (maxTokens !== undefined) parts.push(`${formatTokens(Math.max(0, maxTokens - status.promptTokens - status.completionTokens))} tokens`);
  if (deadlineMs !== undefined) parts.push(formatDuration(Math.max(0, deadlineMs - elapsedMs)));
  return parts.join(', ');
}
