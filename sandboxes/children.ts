/**
 * The processes a sandbox started, and how they end: on abort or dispose each gets
 * SIGTERM, then SIGKILL after a grace period. How a signal reaches a process (the
 * bwrap child, or a whole process group on the host) is the backend's choice.
 */
import type { ChildProcess } from 'node:child_process';

/** Delivers a signal to everything a child stands for (its group, its sandbox). */
export type SignalDelivery = (child: ChildProcess, signal: NodeJS.Signals) => void;

export interface ChildTrackerOptions {
  deliver: SignalDelivery;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  graceMs?: number;
  /** Called once a child has exited (e.g. to sweep its process group). */
  onExit?: (child: ChildProcess) => void;
}

export class ChildTracker {
  private readonly live = new Set<ChildProcess>();

  constructor(private readonly options: ChildTrackerOptions) {}

  /** Follows `child` until it exits; `signal` aborting terminates it. */
  track(child: ChildProcess, signal?: AbortSignal): ChildProcess {
    this.live.add(child);
    const onAbort = () => void this.terminate(child);
    child.once('exit', () => {
      this.live.delete(child);
      signal?.removeEventListener('abort', onAbort);
      this.options.onExit?.(child);
    });
    child.once('error', () => this.live.delete(child));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return child;
  }

  /** SIGTERM now, SIGKILL after the grace period; resolves when the child has exited. */
  terminate(child: ChildProcess): Promise<void> {
    if (!hasRunning(child)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.send(child, 'SIGKILL'), this.options.graceMs ?? 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send(child, 'SIGTERM');
    });
  }

  async terminateAll(): Promise<void> {
    await Promise.all([...this.live].map((child) => this.terminate(child)));
  }

  private send(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      this.options.deliver(child, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function hasRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}
