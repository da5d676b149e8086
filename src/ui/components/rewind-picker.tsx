/**
 * /rewind (and Esc twice on an empty prompt): the turns that have a checkpoint,
 * each with its number, its first line and the files it changed; the selection
 * moves with ↑/↓ or j/k and Enter rewinds to it. Then, when files changed outside
 * the session would be overwritten, the question about them. It draws a
 * RewindView; keys are read by the app (src/ui/rewind-view.ts says what they do).
 */
import { Box, Text, useWindowSize } from 'ink';
import type { RewindPoint } from '../../agent/controls.js';
import { clip } from '../format.js';
import { shortFiles, type RewindView } from '../rewind-view.js';

/** @default 10 turns visible at once; the list scrolls with the selection. */
export const REWIND_ROWS = 10;

/** @default 42 columns for a turn's first line. */
const FIRST_LINE_WIDTH = 42;

/** @default 12 files named when asking about changes made outside the session. */
export const OUTSIDE_FILES_SHOWN = 12;

export interface RewindPickerProps {
  view: RewindView;
}

export function RewindPicker({ view }: RewindPickerProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1} marginTop={1}>
      <RewindBody view={view} />
    </Box>
  );
}

function RewindBody({ view }: RewindPickerProps) {
  switch (view.step) {
    case 'loading':
      return <Text dimColor>reading the session's checkpoints… (esc cancels)</Text>;
    case 'restoring':
      return <Text color="magenta">{`rewinding to the end of turn ${view.turn}…`}</Text>;
    case 'choose':
      return <TurnList points={view.points} selected={view.selected} />;
    case 'confirm':
      return <OutsideChanges point={view.point} files={view.files} />;
    default:
      return view satisfies never;
  }
}

function TurnList({ points, selected }: { points: readonly RewindPoint[]; selected: number }) {
  const first = Math.min(Math.max(0, selected - Math.floor(REWIND_ROWS / 2)), Math.max(0, points.length - REWIND_ROWS));
  const visible = points.slice(first, first + REWIND_ROWS);
  const width = String(points.at(-1)?.turn ?? 0).length;
  // What is left of the row for the files: the border and padding, the marker, "turn N  ", the first line, the gap.
  const filesWidth = Math.max(16, useWindowSize().columns - 4 - 2 - (7 + width) - FIRST_LINE_WIDTH - 2);
  return (
    <>
      <Text color="magenta" bold>Rewind to the end of which turn? Its files come back and the conversation goes on from there.</Text>
      {visible.map((point, offset) => {
        const active = first + offset === selected;
        return (
          <Box key={point.turn}>
            <Box flexShrink={0}>
              <Text color={active ? 'magenta' : undefined}>{active ? '❯ ' : '  '}</Text>
              <Text bold={active} dimColor={!point.current}>{`turn ${String(point.turn).padStart(width)}  `}</Text>
            </Box>
            <Box width={FIRST_LINE_WIDTH} flexShrink={0}>
              <Text bold={active} dimColor={!point.current} wrap="truncate-end">{clip(point.firstLine, FIRST_LINE_WIDTH - 2) || '(no text)'}</Text>
            </Box>
            <Text dimColor wrap="truncate-end">{`  ${filesColumn(point, point.current ? filesWidth : filesWidth - LEFT.length)}${point.current ? '' : LEFT}`}</Text>
          </Box>
        );
      })}
      <Text dimColor>
        {points.length > REWIND_ROWS ? `${selected + 1} of ${points.length} · ` : ''}↑/↓ or j/k move · enter rewinds · esc cancels
      </Text>
    </>
  );
}

const LEFT = ' · left by a rewind';

function filesColumn(point: RewindPoint, width: number): string {
  const files = shortFiles(point.files, point.first ? width - ' (first checkpoint)'.length : width);
  if (point.first) return files === '' ? 'first checkpoint' : `${files} (first checkpoint)`;
  return files === '' ? 'no file changes' : files;
}

function OutsideChanges({ point, files }: { point: RewindPoint; files: readonly string[] }) {
  const shown = files.slice(0, OUTSIDE_FILES_SHOWN);
  return (
    <>
      <Text color="yellow" bold>Files changed outside the session since its last checkpoint:</Text>
      {shown.map((file) => (
        <Text key={file} wrap="truncate-end">{`  ${file}`}</Text>
      ))}
      {files.length > shown.length ? <Text dimColor>{`  … ${files.length - shown.length} more`}</Text> : null}
      <Text>{`Rewinding to turn ${point.turn} would overwrite them.`}</Text>
      <Box marginTop={1}>
        <Text>
          <Text color="cyan" bold>k</Text> or esc keep them (no rewind) · <Text color="yellow" bold>s</Text> save them under rewind-backup/ and rewind
        </Text>
      </Box>
    </>
  );
}
