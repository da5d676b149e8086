/**
 * The steps of /rewind against the session: read the turns that have a
 * checkpoint, let the person choose one, ask about files changed outside the
 * session when there are any (keep them = no rewind; save them under
 * rewind-backup/ and go on, as `sessions rewind --force`), then rewind and say
 * what was restored. The session does the rewind (SessionCommands); this only
 * sequences it and keeps the RewindView in the store.
 */
import type { Key } from 'ink';
import type { RewindDone, RewindPoint, SessionCommands } from '../agent/controls.js';
import { countOf } from './format.js';
import { rewindKey, type RewindView } from './rewind-view.js';
import type { ViewStore } from './store.js';

export interface RewindHost {
  readonly store: ViewStore;
  /** The session's operations; undefined where there is no live session. */
  commands(): SessionCommands | undefined;
  /** A run is on (the agent works). */
  running(): boolean;
  /** Prints a finished output item under `/rewind`. */
  print(text: string, tone?: 'plain' | 'error'): void;
}

/** @default 20 restored or removed files named after a rewind. */
export const REWOUND_FILES_SHOWN = 20;

export class RewindFlow {
  /** Bumped by every open and cancel, so the answer of a step the person left is dropped. */
  private ticket = 0;
  private working: Promise<void> = Promise.resolve();

  constructor(private readonly host: RewindHost) {}

  /** Resolves once no step is under way (quitting waits for a rewind to finish). */
  settled(): Promise<void> {
    return this.working;
  }

  /** Opens the list; with `turn`, goes straight to that turn (still asking about outside changes). */
  open(turn?: number): void {
    if (this.host.store.state.rewind !== undefined) return;
    if (this.host.running()) return this.host.print('/rewind waits until the agent is idle (esc interrupts it)', 'error');
    const commands = this.host.commands();
    if (commands === undefined) return this.host.print('/rewind needs a live session', 'error');
    this.track(this.load(commands, ++this.ticket, turn));
  }

  /** A key while the picker is on screen. */
  key(input: string, key: Key): void {
    const view = this.host.store.state.rewind;
    const commands = this.host.commands();
    if (view === undefined || commands === undefined) return;
    const action = rewindKey(view, input, key);
    switch (action.kind) {
      case 'none':
        return;
      case 'move':
        if (view.step === 'choose') this.show({ ...view, selected: action.selected });
        return;
      case 'choose':
        this.track(this.choose(commands, this.ticket, action.point));
        return;
      case 'save':
        if (view.step === 'confirm') this.track(this.restore(commands, this.ticket, view.point, true));
        return;
      case 'cancel':
        this.ticket += 1;
        this.show(undefined);
        if (view.step === 'confirm') this.host.print('no rewind: the files changed outside the session stay as they are');
        return;
      default:
        action satisfies never;
    }
  }

  private async load(commands: SessionCommands, ticket: number, turn: number | undefined): Promise<void> {
    this.show({ step: 'loading' });
    const points = await this.step(ticket, () => commands.rewindPoints());
    if (points === undefined) return;
    if (points.length === 0) return this.fail('nothing to rewind to yet: no turn has changed files (a checkpoint is taken at the end of each turn that may)');
    if (turn === undefined) return this.show({ step: 'choose', points, selected: points.length - 1 });
    const point = points.find((candidate) => candidate.turn === turn);
    if (point === undefined) return this.fail(`/rewind ${turn}: no checkpoint at turn ${turn}; turns with one: ${turnList(points)}`);
    await this.choose(commands, ticket, point);
  }

  private async choose(commands: SessionCommands, ticket: number, point: RewindPoint): Promise<void> {
    this.show({ step: 'restoring', turn: point.turn });
    const outside = await this.step(ticket, () => commands.changedOutside());
    if (outside === undefined) return;
    if (outside.length > 0) return this.show({ step: 'confirm', point, files: outside });
    await this.restore(commands, ticket, point, false);
  }

  private async restore(commands: SessionCommands, ticket: number, point: RewindPoint, force: boolean): Promise<void> {
    this.show({ step: 'restoring', turn: point.turn });
    const done = await this.step(ticket, () => commands.rewind(point.turn, { force }));
    if (done === undefined) return;
    this.show(undefined);
    this.host.print(rewoundText(done));
  }

  /** Runs a step; undefined when it failed (said on screen) or the person left it meanwhile. */
  private async step<T>(ticket: number, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await run();
      return ticket === this.ticket ? value : undefined;
    } catch (error) {
      if (ticket === this.ticket) this.fail(`/rewind failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private fail(text: string): void {
    this.show(undefined);
    this.host.print(text, 'error');
  }

  private show(view: RewindView | undefined): void {
    this.host.store.update((state) => {
      const { rewind: _shown, ...rest } = state;
      return view === undefined ? rest : { ...rest, rewind: view };
    });
  }

  private track(work: Promise<void>): void {
    this.working = this.working.then(() => work);
  }
}

/** What the transcript says after a rewind. */
export function rewoundText(done: RewindDone): string {
  const files = [...done.restored.map((path) => `  restored ${path}`), ...done.removed.map((path) => `  removed ${path}`)];
  const shown = files.slice(0, REWOUND_FILES_SHOWN);
  return [
    `rewound to the end of turn ${done.toTurn}: ${countOf(done.restored.length, 'file')} restored, ${done.removed.length} removed; the next message continues from there`,
    ...shown,
    ...(files.length > shown.length ? [`  … ${files.length - shown.length} more`] : []),
    ...(done.backup === undefined ? [] : [`saved the files changed outside the session under ${done.backup}`]),
  ].join('\n');
}

/** `1-3, 5, 7-9`: the turns as ranges. */
function turnList(points: readonly RewindPoint[]): string {
  const ranges: string[] = [];
  let start = points[0]!.turn;
  let end = start;
  for (const point of points.slice(1)) {
    if (point.turn === end + 1) {
      end = point.turn;
      continue;
    }
    ranges.push(start === end ? `${start}` : `${start}-${end}`);
    start = end = point.turn;
  }
  ranges.push(start === end ? `${start}` : `${start}-${end}`);
  return ranges.join(', ');
}
