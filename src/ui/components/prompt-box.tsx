/**
 * The prompt box: the task or a follow-up when the agent is idle, a steering
 * message (queued for the next tool boundary) while it works. Shows the queue and
 * the keys.
 */
import { Box, Text } from 'ink';
import type { LineState } from '../line-editor.js';
import type { Phase } from '../state.js';

export interface PromptBoxProps {
  draft: LineState;
  phase: Phase;
  queued: readonly string[];
  hasHistory: boolean;
}

export function PromptBox({ draft, phase, queued, hasHistory }: PromptBoxProps) {
  const placeholder =
    phase === 'running'
      ? 'message the agent (it reads it at the next tool boundary)'
      : hasHistory
        ? 'a follow-up, or Ctrl+C twice to quit'
        : 'what should the agent do?';
  return (
    <Box flexDirection="column" marginTop={1}>
      {queued.map((message, index) => (
        <Text key={index} color="cyan" wrap="truncate-end">{`⧗ queued: ${message}`}</Text>
      ))}
      <Box borderStyle="round" borderColor={phase === 'running' ? 'gray' : 'cyan'} paddingX={1}>
        <Text color="cyan">{'› '}</Text>
        {draft.text === '' ? (
          <Text>
            <Text inverse> </Text>
            <Text dimColor>{placeholder}</Text>
          </Text>
        ) : (
          <Text>
            {draft.text.slice(0, draft.cursor)}
            <Text inverse>{draft.text.slice(draft.cursor, draft.cursor + 1) || ' '}</Text>
            {draft.text.slice(draft.cursor + 1)}
          </Text>
        )}
      </Box>
      <Text dimColor>
        {phase === 'running' ? 'enter queue · esc interrupt' : 'enter send'} · tab reasoning · ctrl+o last result · ctrl+c twice quit
      </Text>
    </Box>
  );
}
