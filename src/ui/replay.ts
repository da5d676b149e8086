/**
 * `endure replay`: plays a recorded journal through the same UI as a live session,
 * keeping the recorded rhythm scaled by the chosen speed. Long idle gaps are capped
 * so a session that waited an hour still plays in minutes; speed 0 plays as fast as
 * the terminal draws. q, Esc or Ctrl+C stop it.
 */
import { restoreNodeEnv } from './react-production.js';
import { render } from 'ink';
import { createElement } from 'react';
import type { JournalRecord } from '../../sessions/records.js';
import type { AgentEvent } from '../agent/events.js';
import type { UiControls } from './controls.js';
import { App } from './components/app.js';
import { journalToEvents } from './journal-events.js';
import { initialViewState } from './state.js';
import { ViewStore } from './store.js';

restoreNodeEnv();

export interface ReplayOptions {
  /** Time scale: 2 plays twice as fast, 0 as fast as possible. */
  speed: number;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** Keys are read only when it is a terminal. @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** @default process.stderr */
  stderr?: NodeJS.WriteStream;
  /**
   * Route console.* output above the UI instead of through it (off where console cannot be patched, as under vitest).
   * @default true
   */
  patchConsole?: boolean;
  /**
   * Longest pause between two events once scaled, in milliseconds.
   * @default 1500
   */
  maxGapMs?: number;
}

/** How long to wait before an event recorded `gapMs` after the previous one. */
export function replayDelay(gapMs: number, speed: number, maxGapMs = 1500): number {
  if (speed === 0 || gapMs <= 0) return 0;
  return Math.min(gapMs / speed, maxGapMs);
}

/** Plays the records; resolves 0 when all were shown, 130 when stopped early, 2 on a bad speed. */
export async function runReplay(
  records: Iterable<JournalRecord> | AsyncIterable<JournalRecord>,
  options: ReplayOptions,
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  if (!Number.isFinite(options.speed) || options.speed < 0) {
    stderr.write(`endure: --speed must be a number ≥ 0 (0 plays as fast as possible), got ${String(options.speed)}\n`);
    return 2;
  }
  const store = new ViewStore(
    initialViewState({ sessionId: '', model: '?', server: '?', sandbox: '?', workspace: '', budgets: {} }),
  );
  const player = new ReplayPlayer();
  const note = options.speed === 0 ? 'replay, fastest' : `replay ×${options.speed}`;
  const keys = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const instance = render(createElement(App, { store, controls: player, note, keys }), {
    stdout,
    stdin,
    stderr,
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
  });
  store.update((state) => ({ ...state, phase: 'running' }));
  let completed = false;
  try {
    completed = await player.play(journalToEvents(records), store, options.speed, options.maxGapMs ?? 1500);
  } finally {
    store.update((state) => ({ ...state, phase: 'idle' }));
    await instance.waitUntilRenderFlush();
    instance.unmount();
    await instance.waitUntilExit().catch(() => undefined);
    store.dispose();
  }
  return completed ? 0 : 130;
}

class ReplayPlayer implements UiControls {
  readonly acceptsInput = false;
  readonly clock = 'events' as const;
  private readonly stopper = new AbortController();

  submit(): void {}
  answer(): void {}
  describeAlways(): string {
    return '';
  }
  interrupt(): void {
    this.stopper.abort();
  }
  quitKey(): void {
    this.stopper.abort();
  }

  /** Resolves true when every event was played, false when stopped. */
  async play(events: AsyncIterable<AgentEvent>, store: ViewStore, speed: number, maxGapMs: number): Promise<boolean> {
    const stop = this.stopper.signal;
    let previous: number | undefined;
    let sinceYield = 0;
    for await (const event of events) {
      if (stop.aborted) return false;
      const wait = previous === undefined ? 0 : replayDelay(event.time - previous, speed, maxGapMs);
      previous = event.time;
      if (wait > 0) {
        await pause(wait, stop);
        sinceYield = 0;
      } else if (++sinceYield >= 256) {
        await new Promise((resolve) => setImmediate(resolve));
        sinceYield = 0;
      }
      if (stop.aborted) return false;
      store.dispatch(event);
    }
    store.flush();
    return true;
  }
}

function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
}
