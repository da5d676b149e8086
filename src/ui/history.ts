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

/**
 * The view of a session whose journal holds `records`, ready for its next run.
 * The records are read once, as they come (a session's `history()` streams
 * them), and only the last `keep` items are held along the way.
 */
export function historyState(info: SessionDriver['info'], records: Iterable<JournalRecord>, keep = HISTORY_ITEMS): ViewState {
  let state = initialViewState(info);
  let dropped = 0;
  for (const event of finishedEvents(records)) {
    state = reduceEvent(state, event);
    if (state.finished.count > 4 * keep + 4) {
      dropped += state.finished.count - keep;
      state = { ...state, finished: lastOf(state.finished, keep) };
    }
  }
  const { startedAt: _startedAt, lastEventAt: _lastEventAt, ...status } = state.status;
  return {
    ...state,
    finished: lastItems(state.finished, keep, info.sessionId, dropped),
    live: EMPTY_LIVE,
    status: { ...status, sessionId: info.sessionId },
    queued: [],
    phase: 'idle',
  };
}

/** The last `keep` items of `log`, as a log of their own (keys are given again by lastItems). */
function lastOf(log: AppendLog<FinishedItem>, keep: number): AppendLog<FinishedItem> {
  const backing = log.backing.slice(Math.max(0, log.count - keep), log.count);
  return { backing, count: backing.length };
}

/** The last `keep` items after a notice of how many earlier ones (`dropped` already left out, and the rest) are not shown. */
function lastItems(log: AppendLog<FinishedItem>, keep: number, sessionId: string, dropped: number): AppendLog<FinishedItem> {
  const start = Math.max(0, log.count - keep);
  const skipped = dropped + start;
  let kept = emptyLog<FinishedItem>();
  if (skipped > 0) {
    const text = `… ${skipped} earlier items are not shown (endure sessions show ${sessionId} prints them all)`;
    kept = appendTo(kept, { kind: 'notice', level: 'info', text, key: 0 });
  }
  for (let index = start; index < log.count; index += 1) {
    const item = itemAt(log, index);
    if (item !== undefined) kept = appendTo(kept, { ...item, key: kept.count });
  }
  return kept;
}
