/**
 * The earlier conversation of a resumed session, folded into the view before the
 * first frame: the journal's last finished items (the rest stay in the journal,
 * one command away) and the status figures so far. Nothing of a run that was cut
 * off stays live, and the elapsed time starts again with the next run.
 */
import type { SessionDriver } from '../agent/controls.js';
import type { JournalRecord } from '../../sessions/records.js';
import { appendTo, emptyLog, itemAt, type AppendLog } from './append-log.js';
import type { FinishedItem } from './finished-item.js';
import { finishedEvents } from './journal-events.js';
import { EMPTY_LIVE, initialViewState, reduceEvent, type ViewState } from './state.js';

/** @default the last 50 finished items of a resumed session are drawn. */
export const HISTORY_ITEMS = 50;

/** The view of a session whose journal holds `records`, ready for its next run. */
export function historyState(info: SessionDriver['info'], records: Iterable<JournalRecord>, keep = HISTORY_ITEMS): ViewState {
  let state = initialViewState(info);
  for (const event of finishedEvents(records)) state = reduceEvent(state, event);
  const { startedAt: _startedAt, lastEventAt: _lastEventAt, ...status } = state.status;
  return {
    ...state,
    finished: lastItems(state.finished, keep, info.sessionId),
    live: EMPTY_LIVE,
    status: { ...status, sessionId: info.sessionId },
    queued: [],
    phase: 'idle',
  };
}

function lastItems(log: AppendLog<FinishedItem>, keep: number, sessionId: string): AppendLog<FinishedItem> {
  const skipped = Math.max(0, log.count - keep);
  let kept = emptyLog<FinishedItem>();
  if (skipped > 0) {
    const text = `… ${skipped} earlier items are not shown (endure sessions show ${sessionId} prints them all)`;
    kept = appendTo(kept, { kind: 'notice', level: 'info', text, key: 0 });
  }
  for (let index = skipped; index < log.count; index += 1) {
    const item = itemAt(log, index);
    if (item !== undefined) kept = appendTo(kept, { ...item, key: kept.count });
  }
  return kept;
}
