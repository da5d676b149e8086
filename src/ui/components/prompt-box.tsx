/**
 * The prompt box: the task or a follow-up when the agent is idle, a steering
 * message (queued for the next tool boundary) while it works. Shows the queue and
 * the keys.
 */
import { Box, Text } from 'ink';
import type { LineState } from '../line-editor.js';
import type { Completion } from '../slash-commands.js';
import type { Phase } from '../state.js';

export interface PromptBoxProps {
  draft: LineState;
  phase: Phase;
  queued: readonly string[];
  hasHistory: boolean;
  /** Commands or paths that Tab would complete, listed under the box. @default [] */
  suggestions?: readonly Completion[];
}

/** @default 8 suggestions listed under the prompt box. */
export const SUGGESTIONS_SHOWN = 8;

export function PromptBox({ draft, phase, queued, hasHistory, suggestions = [] }: PromptBoxProps) {
  const multiline = draft.text.includes('\n');
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
      {suggestions.slice(0, SUGGESTIONS_SHOWN).map((entry) => (
        <Text key={entry.name} wrap="truncate-end">
          <Text color="cyan">{`  ${entry.name.startsWith('@') ? entry.name : `/${entry.name}`}`}</Text>
          {entry.help === '' ? '' : <Text dimColor>{`  ${entry.help}`}</Text>}
        </Text>
      ))}
      {suggestions.length > SUGGESTIONS_SHOWN ? <Text dimColor>{`  … ${suggestions.length - SUGGESTIONS_SHOWN} more`}</Text> : null}
      <Text dimColor>
        {multiline ? 'several lines: enter sends them all · ' : ''}
        {phase === 'running' ? 'enter queue · esc interrupt' : 'enter send'} · {suggestions.length > 0 ? 'tab completes' : 'tab reasoning'} · / commands · @ files · ctrl+o last result · ctrl+c twice quit
      </Text>
    </Box>
  );
}
