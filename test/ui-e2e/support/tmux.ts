/**
 * A real terminal for the UI's end-to-end tests: the compiled CLI runs in a tmux
 * pane (120×40), keys go in with send-keys and the screen comes back with
 * capture-pane. The tmux server has its own socket in the test's scratch directory
 * (`-S`), so a person's tmux is never touched, and it is killed after the test.
 * Waits poll the screen until a text appears, with a deadline, never a fixed sleep.
 *
 *   uiTest('answers', async ({ terminal, server }) => {
 *     await terminal.endure(['--base-url', server.url, ...]);
 *     await terminal.waitFor('what should the agent do?');
 *     await terminal.type('fix it');
 *     await terminal.press('Enter');
 *   });
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath, e2eTest, TEST_API_KEY } from '../../support/e2e-fixtures.js';

const execFileAsync = promisify(execFile);

/** @default 30 s: the CLI starts in well under a second alone, but CI runners are shared. */
export const SCREEN_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

export class TmuxTerminal {
  private started = false;

  constructor(
    private readonly socket: string,
    private readonly config: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts `node dist/src/cli/main.js ...args` in a fresh 120×40 pane; the pane stays after it exits. */
  async endure(args: readonly string[]): Promise<void> {
    if (this.started) throw new Error('this terminal already runs a program');
    this.started = true;
    // A shell around the program records its exit status in a file: tmux's own
    // pane_dead_status was seen empty under load, which left the test waiting.
    const run = 'status_file="$1"; shift; "$@"; echo "$?" > "$status_file"';
    await this.tmux('-f', this.config, 'new-session', '-d', '-x', '120', '-y', '40', '-s', 'endure', '--', '/bin/sh', '-c', run, 'endure-pane', this.statusFile, process.execPath, cliPath(), ...args);
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'endure', '-l', text);
  }

  /** Presses keys by tmux name: Enter, Escape, C-c, y. */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'endure', ...keys);
  }

  /** The pane's text, scrollback included, wrapped lines joined. */
  async screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'endure');
  }

  /** Resolves with the screen once it shows `expected`; fails with the screen after the deadline. */
  async waitFor(expected: string | RegExp, timeoutMs = SCREEN_TIMEOUT_MS): Promise<string> {
    const matches = (screen: string) => (typeof expected === 'string' ? screen.includes(expected) : expected.test(screen));
    return this.poll(async () => {
      const screen = await this.screen();
      return matches(screen) ? screen : undefined;
    }, `the screen to show ${String(expected)}`, timeoutMs);
  }

  /** Resolves with the program's exit status once it has exited (`signal SIGNAME` when a signal ended it). */
  async exitStatus(timeoutMs = SCREEN_TIMEOUT_MS): Promise<number | string> {
    return this.poll(async () => {
      const text = existsSync(this.statusFile) ? readFileSync(this.statusFile, 'utf8').trim() : '';
      if (text === '') return undefined;
      const status = Number(text);
      // The shell reports a program ended by signal N as 128 + N.
      return status > 128 ? `signal ${signalName(status - 128)}` : status;
    }, 'the program to exit', timeoutMs);
  }

  private get statusFile(): string {
    return `${this.socket}.exit-status`;
  }

  /** Stops the tmux server and whatever still runs in it. */
  async kill(): Promise<void> {
    if (!this.started) return;
    await this.tmux('kill-server').catch(() => undefined);
  }

  private async poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${await this.screen().catch(String)}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async tmux(...args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync('tmux', ['-S', this.socket, ...args], { env: this.env, encoding: 'utf8' });
      return stdout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('tmux is not installed: the UI end-to-end tests need it (scripts/setup.sh installs it)');
      throw error;
    }
  }
}

function signalName(number: number): string {
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0] ?? String(number);
}

/** The environment of the program in the pane: only what endure needs, never the runner's own keys. */
export function terminalEnv(scratch: string, home: string): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: join(scratch, 'user-home'),
    XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'),
    ENDURE_HOME: home,
    ENDURE_API_KEY: TEST_API_KEY,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
  };
}

/** The e2e fixtures plus a tmux terminal on a private socket. */
export const uiTest = e2eTest.extend<{ terminal: TmuxTerminal }>({
  terminal: async ({ scratch, home }, use) => {
    const config = join(scratch, 'tmux.conf');
    writeFileSync(config, 'set -g remain-on-exit on\nset -g history-limit 5000\n');
    const terminal = new TmuxTerminal(join(scratch, 'tmux.sock'), config, terminalEnv(scratch, home));
    try {
      await use(terminal);
    } finally {
      await terminal.kill();
    }
  },
});
