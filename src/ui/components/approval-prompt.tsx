/**
 * An approval on screen: the tool, the one-line summary and the exact command or
 * diff the person is deciding on, and the keys y / n / a.
 */
import { Box, Text } from 'ink';
import type { ApprovalRequest } from '../../agent/controls.js';
import { alwaysRefusal } from '../approvals.js';
import { firstLines } from '../format.js';

/** @default 30 preview lines; a longer diff says how much is left out. */
export const APPROVAL_PREVIEW_LINES = 30;

export function ApprovalPrompt({ request, alwaysCovers }: { request: ApprovalRequest; alwaysCovers: string | undefined }) {
  const { lines, more } = firstLines(request.preview, APPROVAL_PREVIEW_LINES);
  const looksLikeDiff = lines.some((line) => line.startsWith('@@') || line.startsWith('+++') || line.startsWith('---'));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} marginTop={1}>
      <Text color="yellow" bold>{`approve ${request.tool}?`}</Text>
      <Text bold>{request.summary}</Text>
      {request.preview.trim() === '' || request.preview.trim() === request.summary.trim() ? null : (
        <Box flexDirection="column" marginTop={1}>
          {lines.map((line, index) => (
            <Text key={index} color={looksLikeDiff ? diffColor(line) : undefined} wrap="truncate-end">
              {line === '' ? ' ' : line}
            </Text>
          ))}
          {more > 0 ? <Text dimColor>{`… ${more} more lines`}</Text> : null}
        </Box>
      )}
      <Box marginTop={1}>
        <Text>
          <Text color="green" bold>y</Text> yes · <Text color="red" bold>n</Text> no · {alwaysCovers === undefined ? (
            <Text dimColor>{alwaysRefusal(request)}</Text>
          ) : (
            <Text><Text color="cyan" bold>a</Text>{` always (${alwaysCovers})`}</Text>
          )}
          {' · esc interrupts'}
        </Text>
      </Box>
    </Box>
  );
}

function diffColor(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) return 'cyan';
  if (line.startsWith('+')) return 'green';
  if (line.startsWith('-')) return 'red';
  return undefined;
}
