/**
 * `endure [task]` and `endure resume`: mounts the UI on a SessionDriver built by
 * the CLI, and returns the exit code once the person quits and the journal is closed.
 */
import { restoreNodeEnv } from './react-production.js';
import { render } from 'ink';
import { createElement } from 'react';
import type { SessionDriver } from '../agent/controls.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { CustomCommand } from '../context/custom-commands.js';
import { App } from './components/app.js';
import { historyState } from './history.js';
import { SessionController, type ApprovalPolicy } from './session-controller.js';
import { initialViewState } from './state.js';
import { ViewStore } from './store.js';

export interface InteractiveOptions {
  /** Sent as the first message, as if typed into the prompt box. */
  initialTask?: string;
  /**
   * The journal of a resumed session: its last finished items and its status figures
   * are on screen from the first frame, so the person sees where the session stands.
   */
  history?: Iterable<JournalRecord>;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** Must be a terminal (raw mode). @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** Where a failure to close the session is reported. @default process.stderr */
  stderr?: NodeJS.WriteStream;
  /** `ask` makes the UI the loop's approver; `auto` and `deny` are applied by the loop. */
  approvalPolicy: ApprovalPolicy;
  /** Custom commands (/help lists them, `/name args` sends them). @default [] */
  customCommands?: readonly CustomCommand[];
  /** What a typed message becomes for the model (mentions attached); an Error's message is shown instead. */
  prepareMessage?: (text: string) => string;
  /**
   * Route console.* output above the UI instead of through it (off where console cannot be patched, as under vitest).
   * @default true
   */
  patchConsole?: boolean;
  /** Aborting it quits as Ctrl+C twice does (for SIGTERM). */
  signal?: AbortSignal;
  /** The runtime still opening: see SessionControllerOptions.opening. */
  opening?: Promise<{ warnings: string[] }>;
}

restoreNodeEnv();

export const BELL = '\u0007';

/** Runs the interactive UI until the person quits; resolves with the exit code (cli.md). */
export async function runInteractive(driver: SessionDriver, options: InteractiveOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  if (!canReadKeys(stdin)) {
    stderr.write('endure: the interactive UI needs a terminal on stdin; use `endure exec` for pipes and CI\n');
    await driver.close();
    return 2;
  }
  const store = new ViewStore(options.history === undefined ? initialViewState(driver.info) : historyState(driver.info, options.history));
  const controller = new SessionController(driver, store, {
    approvalPolicy: options.approvalPolicy,
    bell: () => stdout.write(BELL),
    ...(options.customCommands ? { customCommands: options.customCommands } : {}),
    ...(options.prepareMessage ? { prepareMessage: options.prepareMessage } : {}),
    ...(options.opening ? { opening: options.opening } : {}),
  });
  const instance = render(createElement(App, { store, controls: controller, note: `approval ${options.approvalPolicy}` }), {
    stdout,
    stdin,
    stderr,
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
  });
  const quitOnSignal = (): void => void controller.quit();
  options.signal?.addEventListener('abort', quitOnSignal, { once: true });
  if (options.signal?.aborted) quitOnSignal();
  const crashed = instance.waitUntilExit().then(
    () => controller.quit(),
    (error: unknown) => {
      stderr.write(`endure: the UI stopped: ${error instanceof Error ? error.message : String(error)}\n`);
      return controller.quit().then(() => 1);
    },
  );
  const task = options.initialTask?.trim();
  if (task !== undefined && task !== '') controller.submit(task);
  const code = await Promise.race([controller.closed, crashed]);
  options.signal?.removeEventListener('abort', quitOnSignal);
  store.flush();
  await instance.waitUntilRenderFlush();
  instance.unmount();
  await instance.waitUntilExit().catch(() => undefined);
  store.dispose();
  if (controller.closeError !== undefined) {
    const error = controller.closeError;
    stderr.write(`endure: closing the session failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return code;
}

function canReadKeys(stdin: NodeJS.ReadStream): boolean {
  return stdin.isTTY === true && typeof stdin.setRawMode === 'function';
}
