/**
 * An approval on screen: the tool, the one-line summary and the exact command or
 * diff the person is deciding on, and the keys y / n / a.
 */
import { Box, Text } from 'ink';
import type { ApprovalRequest } from '../../agent/controls.js';
import { alwaysRefusal } from '../approvals.js';
import { formatDiffRow, type ApprovalDiff, type ApprovalDiffRow } from '../approval-diff.js';
import { editDiff, isEditTool, type DiffLine } from '../edit-diff.js';
import { countOf, firstLines } from '../format.js';

/** @default 30 preview lines; a longer diff says how much is left out. */
export const APPROVAL_PREVIEW_LINES = 30;

export interface ApprovalPromptProps {
  request: ApprovalRequest;
  alwaysCovers: string | undefined;
  /** The file as the edit would leave it, diffed against the file as it is (edit tools only). */
  diff?: ApprovalDiff;
}

export function ApprovalPrompt({ request, alwaysCovers, diff }: ApprovalPromptProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} marginTop={1}>
      <Text color="yellow" bold>{`approve ${request.tool}?`}</Text>
      <Text bold>{diff === undefined ? request.summary : `${request.summary} · ${diff.headline}`}</Text>
      <ApprovalBody request={request} diff={diff} />
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

const ROW_COLOR: Record<ApprovalDiffRow['kind'] | DiffLine['kind'], string | undefined> = { hunk: 'cyan', file: 'cyan', add: 'green', del: 'red', ctx: undefined };

/** The change itself: the file's diff, else the edit's own strings, else the command as the shell gets it, else the arguments. */
function ApprovalBody({ request, diff }: { request: ApprovalRequest; diff: ApprovalDiff | undefined }) {
  if (diff !== undefined) {
    const shown = diff.rows.slice(0, APPROVAL_PREVIEW_LINES);
    const width = String(Math.max(0, ...shown.map((row) => row.line ?? 0))).length;
    return (
      <Box flexDirection="column" marginTop={1}>
        {shown.map((row, index) => (
          <Text key={index} color={ROW_COLOR[row.kind]} wrap="truncate-end">
            {formatDiffRow(row, width)}
          </Text>
        ))}
        <More count={diff.rows.length - shown.length} />
      </Box>
    );
  }
  const strings = isEditTool(request.tool) ? editDiff(request.tool, request.args, APPROVAL_PREVIEW_LINES) : undefined;
  if (strings !== undefined) {
    return (
      <Box flexDirection="column" marginTop={1}>
        {strings.lines.map((line, index) => (
          <Text key={index} color={ROW_COLOR[line.kind]} wrap="truncate-end">
            {line.text === '' ? ' ' : line.text}
          </Text>
        ))}
        <More count={strings.more} />
      </Box>
    );
  }
  const command = request.args['command'];
  const text = typeof command === 'string' ? command : request.preview;
  if (text.trim() === '' || (typeof command !== 'string' && text.trim() === request.summary.trim())) return null;
  const { lines, more } = firstLines(text, APPROVAL_PREVIEW_LINES);
  return (
    <Box flexDirection="column" marginTop={1}>
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {typeof command === 'string' ? <Text dimColor>{index === 0 ? '$ ' : '  '}</Text> : null}
          {line === '' ? ' ' : line}
        </Text>
      ))}
      <More count={more} />
    </Box>
  );
}

function More({ count }: { count: number }) {
  return count > 0 ? <Text dimColor>{`… ${countOf(count, 'more line')}`}</Text> : null;
}
