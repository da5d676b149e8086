/**
 * The last finished tool result in full (Ctrl+O), below the live turn. Only the
 * first lines fit; the rest of a large output stays in the session's blobs.
 */
import { Box, Text } from 'ink';
import { countOf, firstLines } from '../format.js';

/** @default 30 lines of the result. */
export const RESULT_PANEL_LINES = 30;

export function ResultPanel({ result }: { result: { summary: string; content: string; isError: boolean } | undefined }) {
  if (result === undefined) {
    return <Text dimColor>no tool result yet · ctrl+o closes</Text>;
  }
  const { lines, more } = firstLines(result.content, RESULT_PANEL_LINES);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="gray" paddingX={1}>
      <Text bold>{`${result.summary} · ctrl+o closes`}</Text>
      {lines.map((line, index) => (
        <Text key={index} color={result.isError ? 'red' : undefined} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
      {more > 0 ? <Text dimColor>{`… ${countOf(more, 'more line')}`}</Text> : null}
    </Box>
  );
}
