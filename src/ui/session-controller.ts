/**
 * Runs a SessionDriver for the interactive UI, outside React: one driver.run per
 * user message, its events folded into the store; steering pushed to the driver's
 * queue while a run is on; Esc aborts the run's signal; approvals wait for y/n/a;
 * Ctrl+C twice aborts, closes the driver (and so the journal) and settles `closed`
 * with the exit code.
 */
import type { Key } from 'ink';
import type { ApprovalDecision, ApprovalRequest, Approver, SessionDriver } from '../agent/controls.js';
import type { AgentEvent, EndStatus } from '../agent/events.js';
import { expandCustomCommand, type CustomCommand } from '../context/custom-commands.js';
import { listWorkspaceDirectory } from '../context/mentions.js';
import { alwaysCovers } from './approvals.js';
import { approvalDiff } from './approval-diff.js';
import type { UiControls } from './controls.js';
import { clip } from './format.js';
import { RewindFlow } from './rewind-flow.js';
import { parseInput, type ApprovalPolicy, type SlashContext } from './slash-commands.js';
import { finish, initialViewState } from './state.js';
import type { ViewStore } from './store.js';

export type { ApprovalPolicy } from './slash-commands.js';

export interface SessionControllerOptions {
  /** `ask` has the loop ask the UI; `auto` and `deny` are applied by the loop alone. /approval switches it. */
  approvalPolicy: ApprovalPolicy;
  /** Rings the terminal bell (an approval is waiting, or a run ended). */
  bell: () => void;
  /** Custom commands for /help, completion and `/name args`. @default [] */
  customCommands?: readonly CustomCommand[];
  /**
   * Turns what the person typed into the message the model gets (attaches @mentions);
   * throws an Error whose message is shown instead of sending. @default the text as is
   */
  prepareMessage?: (text: string) => string;
  /**
   * The runtime still opening (src/cli/opening-driver.ts): once open, the status bar shows the
   * session's model and id, its first line and the opening's warnings; if it fails, the UI quits
   * (the caller says why).
   */
  opening?: Promise<{ warnings: string[] }>;
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
  private approvalPolicy: ApprovalPolicy;
  private readonly rewindFlow: RewindFlow;

  constructor(
    private readonly driver: SessionDriver,
    private readonly store: ViewStore,
    private readonly options: SessionControllerOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.settleClosed = resolve;
    });
    this.approvalPolicy = options.approvalPolicy;
    this.rewindFlow = new RewindFlow({
      store,
      commands: () => this.driver.commands,
      running: () => this.current !== undefined,
      print: (text, tone) => this.print('/rewind', text, tone),
    });
    this.announce();
    options.opening?.then(
      ({ warnings }) => this.opened(warnings),
      () => void this.quit(),
    );
  }

  /** The runtime is open: what the status bar showed from the settings becomes the session's own. */
  private opened(warnings: string[]): void {
    if (this.quitting !== undefined) return;
    const { sessionId, model, server, sandbox, contextWindow, budgets } = initialViewState(this.driver.info).status;
    this.store.update((state) => ({ ...state, status: { ...state.status, sessionId, model, server, sandbox, budgets, ...(contextWindow === undefined ? {} : { contextWindow }) } }));
    this.announce(warnings);
  }

  /**
   * Puts the session's first line (model, sandbox, instructions read) on screen before any run, then what
   * its opening skipped (an instruction file it could not read), so nothing is dropped in silence.
   */
  private announce(warnings: readonly string[] = []): void {
    const start = this.driver.opening?.();
    if (start !== undefined) {
      this.store.dispatch(start);
      // The elapsed time counts from the first run, not from when the prompt box opened.
      this.store.update((state) => {
        const { startedAt: _startedAt, lastEventAt: _lastEventAt, ...status } = state.status;
        return { ...state, status };
      });
    }
    for (const text of warnings) this.store.update((state) => finish(state, { kind: 'notice', level: 'warning', text }));
  }

  get customCommands(): readonly CustomCommand[] {
    return this.options.customCommands ?? [];
  }

  /** Tab completion of `@path`: the entries of a workspace directory. */
  readonly listDirectory = (relativeDir: string): string[] => listWorkspaceDirectory(this.driver.info.workspace, relativeDir);

  /** Enter in the prompt box: a slash command runs here; anything else goes to the model. */
  submit(text: string): void {
    if (this.quitting !== undefined) return;
    const parsed = parseInput(text, this.customCommands);
    switch (parsed.kind) {
      case 'message':
        this.send(parsed.text);
        return;
      case 'command':
        void Promise.resolve(parsed.command.run(parsed.args, this.slashContext(`/${parsed.command.name}${parsed.args === '' ? '' : ` ${parsed.args}`}`))).catch((error: unknown) =>
          this.print(text, `/${parsed.command.name} failed: ${error instanceof Error ? error.message : String(error)}`, 'error'),
        );
        return;
      case 'custom':
        if (parsed.command.error !== undefined) {
          this.print(text, `/${parsed.command.name} cannot be used: ${parsed.command.error} (${parsed.command.file})`, 'error');
          return;
        }
        this.send(expandCustomCommand(parsed.command, parsed.args));
        return;
      case 'unknown':
        this.store.update((state) => finish(state, { kind: 'notice', level: 'warning', text: `unknown command /${parsed.name}; /help lists the commands (//${parsed.name} sends the text as is)` }));
        return;
      default:
        parsed satisfies never;
    }
  }

  private send(typed: string): void {
    let text: string;
    try {
      text = this.options.prepareMessage?.(typed) ?? typed;
    } catch (error) {
      // The message is not sent, and not lost: it goes back into the box to be fixed.
      this.store.update((state) =>
        finish({ ...state, draft: state.draft.text === '' ? { text: typed, cursor: typed.length } : state.draft }, { kind: 'notice', level: 'error', text: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (this.current !== undefined) {
      this.driver.steering.push(text);
      this.store.update((state) => ({ ...state, queued: [...state.queued, typed] }));
      return;
    }
    this.start(text);
  }

  interrupt(): void {
    this.current?.abort.abort();
  }

  openRewind(): void {
    if (this.quitting === undefined) this.rewindFlow.open();
  }

  rewindKey(input: string, key: Key): void {
    if (this.quitting === undefined) this.rewindFlow.key(input, key);
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

  private print(command: string, text: string, tone: 'plain' | 'diff' | 'error' = 'plain'): void {
    this.store.update((state) => finish(state, { kind: 'output', command, text, tone }));
  }

  private slashContext(command: string): SlashContext {
    const controller = this;
    return {
      get state() {
        return controller.store.state;
      },
      get info() {
        return controller.driver.info;
      },
      get running() {
        return controller.current !== undefined;
      },
      get approvalPolicy() {
        return controller.approvalPolicy;
      },
      session: this.driver.commands,
      customCommands: this.customCommands,
      print: (text, tone) => this.print(command, text, tone),
      send: (text) => this.send(text),
      setApprovalPolicy: (policy) => {
        this.approvalPolicy = policy;
        this.driver.commands?.setApprovalPolicy(policy);
        this.store.update((state) => ({ ...state, note: `approval ${policy}` }));
      },
      compact: () => {
        const session = this.driver.commands;
        if (session === undefined) throw new Error('this session cannot compact');
        if (this.current !== undefined) {
          session.requestCompaction();
          return 'running';
        }
        this.startWith((signal) => session.compactNow(signal));
        return 'started';
      },
      newSession: async () => {
        if (this.driver.commands === undefined) throw new Error('this session cannot open another one');
        const warnings = await this.driver.commands.newSession();
        this.lastStatus = undefined;
        const fresh = initialViewState(this.driver.info);
        this.store.update((state) => ({ ...state, status: fresh.status, live: fresh.live, ended: undefined, conversed: false }));
        this.announce(warnings);
      },
      openRewind: (turn) => {
        if (this.quitting === undefined) this.rewindFlow.open(turn);
      },
      quit: () => void this.quit(),
    };
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
    // A rewind under way finishes (its record in the journal) before the journal closes.
    await this.rewindFlow.settled();
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
    // The approver is always handed over: the loop asks it only while the policy is `ask`, which /approval may switch mid-run.
    this.startWith((signal) => this.driver.run(message, signal, this.approve));
  }

  /** Runs a stream of events (a loop run, or a compaction) as the current run: Esc interrupts it. */
  private startWith(events: (signal: AbortSignal) => AsyncIterable<AgentEvent>): void {
    const abort = new AbortController();
    this.store.update((state) => ({ ...state, phase: 'running', ended: undefined }));
    const done = this.consume(events(abort.signal), abort);
    this.current = { abort, done };
  }

  private async consume(events: AsyncIterable<AgentEvent>, abort: AbortController): Promise<void> {
    let ended = false;
    try {
      for await (const event of events) {
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
    const diff = first === undefined ? undefined : approvalDiff(first.tool, first.args, this.driver.info.workspace);
    this.store.update((state) => {
      const { approval: _shown, approvalDiff: _diff, ...rest } = state;
      return first === undefined ? rest : { ...rest, approval: first, ...(diff === undefined ? {} : { approvalDiff: diff }) };
    });
    if (first !== undefined) this.options.bell();
  }
}

function restoredDraft(leftovers: string[], current: string): { text: string; cursor: number } {
  const text = [...leftovers, current].filter((part) => part !== '').join('\n');
  return { text, cursor: text.length };
}
