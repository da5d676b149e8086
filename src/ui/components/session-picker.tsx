/**
 * The list `endure resume` shows without an id: status, task and age of recent
 * sessions; arrows (or j/k) move, Enter picks, q or Esc cancels.
 */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { SessionStatus } from '../../../sessions/records.js';
import { clip, formatAge } from '../format.js';

export interface SessionChoice {
  id: string;
  status: SessionStatus;
  task: string;
  /** Epoch milliseconds (or a Date) of the last record. */
  lastActivity: number | Date;
}

/** @default 10 rows visible at once; the list scrolls with the selection. */
export const PICKER_ROWS = 10;

const STATUS_COLOR: Record<SessionStatus, string> = {
  running: 'cyan',
  done: 'green',
  failed: 'red',
  budget: 'yellow',
  interrupted: 'yellow',
};

export interface SessionPickerProps {
  sessions: readonly SessionChoice[];
  now: number;
  onDone: (id: string | undefined) => void;
}

export function SessionPicker({ sessions, now, onDone }: SessionPickerProps) {
  const [selected, setSelected] = useState(0);
  const [settled, setSettled] = useState(false);
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') setSelected((index) => Math.max(0, index - 1));
      else if (key.downArrow || input === 'j') setSelected((index) => Math.min(sessions.length - 1, index + 1));
      else if (key.return) settle(sessions[selected]?.id);
      else if (key.escape || input === 'q' || (key.ctrl && input === 'c')) settle(undefined);
    },
    { isActive: !settled },
  );
  function settle(id: string | undefined): void {
    setSettled(true);
    onDone(id);
  }
  const first = Math.min(Math.max(0, selected - Math.floor(PICKER_ROWS / 2)), Math.max(0, sessions.length - PICKER_ROWS));
  const visible = sessions.slice(first, first + PICKER_ROWS);
  return (
    <Box flexDirection="column">
      <Text bold>Resume which session? (↑/↓ move · enter picks · q cancels)</Text>
      {visible.map((session, offset) => {
        const active = first + offset === selected;
        const when = typeof session.lastActivity === 'number' ? session.lastActivity : session.lastActivity.getTime();
        return (
          <Box key={session.id}>
            <Text color={active ? 'cyan' : undefined}>{active ? '❯ ' : '  '}</Text>
            <Text color={STATUS_COLOR[session.status]}>{session.status.padEnd(12)}</Text>
            <Text dimColor>{formatAge(when, now).padEnd(10)}</Text>
            <Text bold={active} wrap="truncate-end">{`${clip(session.task, 70)}  `}</Text>
            <Text dimColor>{session.id}</Text>
          </Box>
        );
      })}
      {sessions.length > PICKER_ROWS ? <Text dimColor>{`${selected + 1} of ${sessions.length}`}</Text> : null}
    </Box>
  );
}
