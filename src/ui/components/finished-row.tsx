/**
 * How one finished item looks. Drawn once, when it enters `<Static>`.
 */
import { Box, Text } from 'ink';
import type { DiffLine } from '../edit-diff.js';
import type { FinishedItem, ToolItemStatus } from '../finished-item.js';
import { countOf, formatDuration, formatSeconds } from '../format.js';

const TOOL_MARK: Record<ToolItemStatus, { mark: string; color: string }> = {
  done: { mark: '✓', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  denied: { mark: '⊘', color: 'yellow' },
  cancelled: { mark: '⊘', color: 'yellow' },
  interrupted: { mark: '!', color: 'yellow' },
};

const DIFF_COLOR: Record<DiffLine['kind'], string | undefined> = {
  file: 'cyan',
  hunk: 'cyan',
  add: 'green',
  del: 'red',
  ctx: undefined,
};

export function FinishedRow({ item }: { item: FinishedItem }) {
  switch (item.kind) {
    case 'session':
      return <Text dimColor>{`◆ ${item.text}`}</Text>;
    case 'user':
      return (
        <Box marginTop={1} flexDirection="column">
          <Box>
            <Text color="cyan" bold>{item.steering ? '» ' : '› '}</Text>
            <Text>{item.text}</Text>
            {item.steering ? <Text dimColor> (steering)</Text> : null}
          </Box>
          {item.attachments === undefined ? null : <Text dimColor>{`  attached: ${item.attachments.join(', ')}`}</Text>}
        </Box>
      );
    case 'reasoning':
      return item.expanded ? (
        <Text dimColor italic>{item.text}</Text>
      ) : (
        <Text dimColor>{`✻ thought${item.durationMs === undefined ? '' : ` for ${formatSeconds(item.durationMs)}`}${item.text === '' ? '' : `: ${item.text}`}`}</Text>
      );
    case 'answer':
      return (
        <Box marginTop={1} flexDirection="column">
          <Text>{item.text}</Text>
          {item.partial ? <Text dimColor>(answer cut short)</Text> : null}
        </Box>
      );
    case 'tool':
      return <ToolRow item={item} />;
    case 'notice': {
      const color = item.level === 'error' ? 'red' : item.level === 'warning' ? 'yellow' : undefined;
      return <Text color={color} dimColor={item.level === 'info'}>{`${item.level === 'info' ? 'ℹ' : '⚠'} ${item.text}`}</Text>;
    }
    case 'output':
      return <OutputRow item={item} />;
    case 'end': {
      const color = item.status === 'done' ? 'green' : item.status === 'failed' ? 'red' : 'yellow';
      const reason = item.reason === undefined ? '' : ` (${item.reason})`;
      return (
        <Box marginTop={1}>
          <Text color={color} bold>{`● ${item.status}${reason}`}</Text>
          <Text dimColor>{` · ${countOf(item.turns, 'turn')} · ${countOf(item.toolCalls, 'tool call')} · ${formatDuration(item.durationMs)}`}</Text>
        </Box>
      );
    }
    default:
      return assertNever(item);
  }
}

function ToolRow({ item }: { item: Extract<FinishedItem, { kind: 'tool' }> }) {
  const { mark, color } = TOOL_MARK[item.status];
  const failed = item.status !== 'done';
  return (
    <Box flexDirection="column">
      <Box>
        <Text color={color}>{`${mark} `}</Text>
        <Text bold>{item.summary}</Text>
        <Text dimColor>{` · ${item.status === 'done' ? '' : `${item.status} · `}${formatDuration(item.durationMs)}`}</Text>
      </Box>
      {item.diff === undefined ? (
        <Box flexDirection="column" marginLeft={2}>
          {item.preview.map((line, index) => (
            <Text key={index} color={failed ? 'red' : undefined} dimColor={!failed} wrap="truncate-end">
              {line === '' ? ' ' : line}
            </Text>
          ))}
          {item.moreLines > 0 ? <Text dimColor>{`… ${countOf(item.moreLines, 'more line')} (ctrl+o shows the last result)`}</Text> : null}
        </Box>
      ) : (
        <Box flexDirection="column" marginLeft={2}>
          {item.diff.lines.map((line, index) => (
            <Text key={index} color={DIFF_COLOR[line.kind]} wrap="truncate-end">
              {line.text === '' ? ' ' : line.text}
            </Text>
          ))}
          {item.diff.more > 0 ? <Text dimColor>{`… ${countOf(item.diff.more, 'more diff line')}`}</Text> : null}
        </Box>
      )}
    </Box>
  );
}

function OutputRow({ item }: { item: Extract<FinishedItem, { kind: 'output' }> }) {
  if (item.tone !== 'diff') {
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text color="cyan" dimColor>{item.command}</Text>
        <Text color={item.tone === 'error' ? 'red' : undefined}>{item.text}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="cyan" dimColor>{item.command}</Text>
      {item.text.split('\n').map((line, index) => (
        <Text key={index} color={unifiedDiffColor(line)} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}

/** Colour of a line of `git diff` output. */
export function unifiedDiffColor(line: string): string | undefined {
  if (line.startsWith('diff --git') || line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@') || line.startsWith('index ') || line.startsWith('new file')) return 'cyan';
  if (line.startsWith('+')) return 'green';
  if (line.startsWith('-')) return 'red';
  return undefined;
}

function assertNever(value: never): never {
  throw new Error(`unhandled item: ${JSON.stringify(value)}`);
}
