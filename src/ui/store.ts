/**
 * Holds the view state outside React and hands React snapshots at most once a
 * frame. Events are folded as they come (the reducer is cheap); publishing, which
 * makes React and ink draw, is coalesced, so a burst of streamed deltas costs one
 * frame. Keys pressed by the person publish at once.
 */
import type { AgentEvent } from '../agent/events.js';
import { reduceEvent, type ViewState } from './state.js';

export interface ViewStoreOptions {
  /**
   * Minimum time between two published snapshots, in milliseconds.
   * @default 33 (about 30 frames a second)
   */
  frameMs?: number;
}

export class ViewStore {
  private latest: ViewState;
  private published: ViewState;
  private readonly listeners = new Set<() => void>();
  private readonly frameMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastPublishAt = Number.NEGATIVE_INFINITY;

  constructor(initial: ViewState, options: ViewStoreOptions = {}) {
    this.latest = initial;
    this.published = initial;
    this.frameMs = options.frameMs ?? 33;
  }

  /** The newest state, folded up to the last event (may be ahead of what is drawn). */
  get state(): ViewState {
    return this.latest;
  }

  dispatch(event: AgentEvent): void {
    this.latest = reduceEvent(this.latest, event);
    this.schedule();
  }

  /** A change made by the person or the controller; drawn without waiting for a frame. */
  update(change: (state: ViewState) => ViewState): void {
    this.latest = change(this.latest);
    this.flush();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The snapshot React draws (for useSyncExternalStore). */
  readonly getSnapshot = (): ViewState => this.published;

  /** Publishes the newest state now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.published === this.latest) return;
    this.published = this.latest;
    this.lastPublishAt = performance.now();
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.frameMs - (performance.now() - this.lastPublishAt));
    this.timer = setTimeout(() => this.flush(), wait);
  }
}
