/**
 * The part of the screen that changes: the streaming reasoning (dimmed, shown or
 * folded with Tab), the streaming answer, the running tools with a spinner and their
 * elapsed time, and retry or wait notices. Everything here is bounded in size.
 */
import { Box, Text } from 'ink';
import { formatDuration, formatSeconds, formatTokens, lastLines } from '../format.js';
import type { AgentActivity, LiveTurn as LiveTurnState, Phase } from '../state.js';
import { spinnerFrame } from './use-now.js';

/** @default 6 lines of reasoning while it streams (when shown). */
export const LIVE_REASONING_LINES = 6;
/** @default 12 lines of answer while it streams. */
export const LIVE_ANSWER_LINES = 12;

export interface LiveTurnProps {
  live: LiveTurnState;
  phase: Phase;
  reasoningShown: boolean;
  now: number;
  /** An approval is on screen: the loop waits for the person, not for the model. @default false */
  awaitingApproval?: boolean;
}

export function LiveTurn({ live, phase, reasoningShown, now, awaitingApproval = false }: LiveTurnProps) {
  const spinner = spinnerFrame(now);
  const streamingReasoning = live.reasoningChars > 0 && live.answerChars === 0;
  const idleWhileRunning = phase === 'running' && !awaitingApproval && live.tools.length === 0 && live.answerChars === 0 && live.reasoningChars === 0;
  return (
    <Box flexDirection="column">
      {live.reasoningChars > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>
            {`${streamingReasoning ? spinner : '✻'} ${thinkingLabel(live, now)} · tab ${reasoningShown ? 'hides' : 'shows'} it`}
          </Text>
          {reasoningShown ? (
            <Text dimColor italic>
              {lastLines(live.reasoning, LIVE_REASONING_LINES).join('\n')}
            </Text>
          ) : null}
        </Box>
      ) : null}
      {live.answerChars > 0 ? (
        <Box marginTop={1}>
          <Text>{lastLines(live.answer, LIVE_ANSWER_LINES).join('\n')}</Text>
        </Box>
      ) : null}
      {live.tools.map((tool) => (
        <Box key={tool.callId} flexDirection="column">
          <Box>
            <Text color="yellow">{`${spinner} `}</Text>
            <Text bold>{tool.summary}</Text>
            <Text dimColor>{` · ${formatDuration(now - tool.startedAt)}${tool.progress === undefined ? '' : ` · ${tool.progress}`}`}</Text>
          </Box>
          {tool.agent === undefined ? null : <Text dimColor>{`  ⎿ ${agentLine(tool.agent)}`}</Text>}
        </Box>
      ))}
      {live.retry !== undefined ? (
        <Text color="yellow">{`⟳ model request failed (${live.retry.reason}); retry ${live.retry.attempt} in ${formatDuration(live.retry.delayMs)}`}</Text>
      ) : null}
      {idleWhileRunning ? (
        <Text dimColor>{`${spinner} waiting for the model${live.waitingMs === undefined ? '' : ` · ${formatDuration(live.waitingMs)}`}`}</Text>
      ) : null}
    </Box>
  );
}

/** A running subagent under its task line: what it does now, and its figures. */
function agentLine(agent: AgentActivity): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${agent.currentTool ?? 'thinking'} · ${plural(agent.turns, 'turn')} · ${plural(agent.toolCalls, 'tool call')} · ${formatTokens(agent.tokens)} tokens`;
}

function thinkingLabel(live: LiveTurnState, now: number): string {
  if (live.reasoningStartedAt === undefined) return 'thinking';
  if (live.reasoningEndedAt !== undefined) return `thought for ${formatSeconds(live.reasoningEndedAt - live.reasoningStartedAt)}`;
  return `thinking · ${formatSeconds(now - live.reasoningStartedAt)}`;
}
