/**
 * Runs a SessionDriver for the interactive UI, outside React: one driver.run per
 * user message, its events folded into the store; steering pushed to the driver's
 * queue while a run is on; Esc aborts the run's signal; approvals wait for y/n/a;
 * Ctrl+C twice aborts, closes the driver (and so the journal) and settles `closed`
 * with the exit code.
 */
import type { ApprovalDecision, ApprovalRequest, Approver, SessionDriver } from '../agent/controls.js';
import type { EndStatus } from '../agent/events.js';
import { alwaysCovers } from './approvals.js';
import type { UiControls } from './controls.js';
import { clip } from './format.js';
import { finish } from './state.js';
import type { ViewStore } from './store.js';

export type ApprovalPolicy = 'ask' | 'auto' | 'deny';

export interface SessionControllerOptions {
  /** `ask` hands the loop the UI's approver; `auto` and `deny` are applied by the loop alone. */
  approvalPolicy: ApprovalPolicy;
  /** Rings the terminal bell (an approval is waiting, or a run ended). */
  bell: () => void;
}

interface WaitingApproval {
  request: ApprovalRequest;
  settle: (decision: ApprovalDecision) => void;
}

const EXIT_CODES: Record<EndStatus, number> = { done: 0, failed: 1, budget: 3, interrupted: 130 };

export class SessionController implements UiControls {
  readonly acceptsInput = true;
  readonly clock = 'wall' as const;
  /** Settles with the exit code once the person quit and the driver is closed. */
  readonly closed: Promise<number>;
  /** Set when driver.close() failed. */
  closeError: unknown;

  private readonly waiting: WaitingApproval[] = [];
  private current: { abort: AbortController; done: Promise<void> } | undefined;
  private lastStatus: EndStatus | undefined;
  private quitting: Promise<number> | undefined;
  private settleClosed: (code: number) => void = () => {};

  constructor(
    private readonly driver: SessionDriver,
    private readonly store: ViewStore,
    private readonly options: SessionControllerOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.settleClosed = resolve;
    });
  }

  submit(text: string): void {
    if (this.quitting !== undefined) return;
    if (this.current !== undefined) {
      this.driver.steering.push(text);
      this.store.update((state) => ({ ...state, queued: [...state.queued, text] }));
      return;
    }
    this.start(text);
  }

  interrupt(): void {
    this.current?.abort.abort();
  }

  quitKey(): void {
    if (this.quitting !== undefined) return;
    if (!this.store.state.quitArmed) {
      this.store.update((state) => ({ ...state, quitArmed: true }));
      return;
    }
    void this.quit();
  }

  /** The gate remembers an "always" and asks one question at a time; `a` where it is not offered does nothing. */
  answer(decision: ApprovalDecision): void {
    const first = this.waiting[0];
    if (first === undefined || (decision === 'always' && alwaysCovers(first.request) === undefined)) return;
    this.waiting.shift();
    first.settle(decision);
    this.showFirstApproval();
  }

  describeAlways(request: ApprovalRequest): string | undefined {
    return alwaysCovers(request);
  }

  /** Aborts any run, closes the driver, and settles `closed`. Safe to call more than once. */
  quit(): Promise<number> {
    this.quitting ??= this.shutDown();
    return this.quitting;
  }

  private async shutDown(): Promise<number> {
    this.store.update((state) => ({ ...state, phase: 'closing', quitArmed: false }));
    const running = this.current;
    if (running !== undefined) {
      running.abort.abort();
      await running.done;
    }
    let code = running !== undefined ? 130 : this.lastStatus === undefined ? 0 : EXIT_CODES[this.lastStatus];
    try {
      await this.driver.close();
    } catch (error) {
      this.closeError = error;
      code = 1;
    }
    this.settleClosed(code);
    return code;
  }

  private start(message: string): void {
    const abort = new AbortController();
    this.store.update((state) => ({ ...state, phase: 'running', ended: undefined }));
    const done = this.consume(message, abort);
    this.current = { abort, done };
  }

  private async consume(message: string, abort: AbortController): Promise<void> {
    const approver = this.options.approvalPolicy === 'ask' ? this.approve : undefined;
    let ended = false;
    try {
      for await (const event of this.driver.run(message, abort.signal, approver)) {
        this.store.dispatch(event);
        if (event.type === 'session_end') {
          ended = true;
          this.lastStatus = event.status;
          this.options.bell();
        }
      }
      if (!ended && abort.signal.aborted) this.note('info', 'interrupted; the session can be resumed', 'interrupted');
    } catch (error) {
      if (abort.signal.aborted) this.note('info', 'interrupted; the session can be resumed', 'interrupted');
      else this.note('error', `the run stopped: ${clip(error instanceof Error ? error.message : String(error), 300)}`, 'failed');
      this.options.bell();
    }
    this.store.flush();
    this.current = undefined;
    this.afterRun(abort.signal.aborted);
  }

  private afterRun(aborted: boolean): void {
    const leftovers = this.driver.steering.take();
    const closing = this.quitting !== undefined;
    this.store.update((state) => ({
      ...state,
      phase: closing ? 'closing' : 'idle',
      queued: [],
      ...(leftovers.length > 0 && (aborted || closing) ? { draft: restoredDraft(leftovers, state.draft.text) } : {}),
    }));
    if (leftovers.length > 0 && !aborted && !closing) this.start(leftovers.join('\n\n'));
  }

  private note(level: 'info' | 'error', text: string, status: EndStatus): void {
    this.lastStatus = status;
    this.store.update((state) => finish(state, { kind: 'notice', level, text }));
  }

  private readonly approve: Approver = (request, signal) => {
    return new Promise<ApprovalDecision>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index !== -1) this.waiting.splice(index, 1);
        this.showFirstApproval();
        reject(signal.reason);
      };
      const entry: WaitingApproval = {
        request,
        settle: (decision) => {
          signal.removeEventListener('abort', onAbort);
          resolve(decision);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.showFirstApproval();
    });
  };

  private showFirstApproval(): void {
    const first = this.waiting[0]?.request;
    if (this.store.state.approval === first) return;
    this.store.update((state) => {
      const { approval: _shown, ...rest } = state;
      return first === undefined ? rest : { ...rest, approval: first };
    });
    if (first !== undefined) this.options.bell();
  }
}

function restoredDraft(leftovers: string[], current: string): { text: string; cursor: number } {
  const text = [...leftovers, current].filter((part) => part !== '').join('\n');
  return { text, cursor: text.length };
}
