/**
 * Runs one shell command as the leader of its own process group and owns its
 * end: when the command exits, times out, is cancelled or killed, the WHOLE
 * group gets SIGTERM and, after a grace period, SIGKILL, so no grandchild
 * outlives it. Output bytes are handed to a sink as they arrive and never
 * buffered here. Used by foreground runs and background jobs alike.
 */
type Execa = typeof import('execa').execa;

let execa: Execa | undefined;

/**
 * Loads execa; call it before startCommand. It is loaded on first use, not at
 * server start, because importing it costs about as much time as the MCP SDK.
 */
export async function loadCommandRunner(): Promise<void> {
  execa ??= (await import('execa')).execa;
}

/** Why a command was stopped from outside. */
export type StopReason = 'timeout' | 'cancelled' | 'killed' | 'server-closed';

/** How the command ended. */
export type CommandEnd =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'failed-to-start'; message: string };

export interface CommandOutcome {
  end: CommandEnd;
  /** Set when the command was stopped by us rather than ending on its own. */
  stoppedBy?: StopReason;
}

export interface CommandSpec {
  command: string;
  /** Absolute directory, already checked to be inside the workspace. */
  cwd: string;
  env: Record<string, string>;
  onOutput: (chunk: Uint8Array) => void;
  /** Time between SIGTERM and SIGKILL when stopping the group. @default 2000 */
  killGraceMs?: number;
}

/** Sends `signal` to every process in the group led by `pid`; false when none is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export class RunningCommand {
  readonly done: Promise<CommandOutcome>;
  private stoppedBy: StopReason | undefined;
  private terminating = false;

  constructor(
    readonly pid: number | undefined,
    wait: Promise<CommandEnd>,
    private readonly killGraceMs: number,
  ) {
    this.done = wait.then((end) => (this.stoppedBy === undefined ? { end } : { end, stoppedBy: this.stoppedBy }));
  }

  /** SIGTERM to the group now, SIGKILL after the grace period; the first reason wins. */
  stop(reason: StopReason): void {
    this.stoppedBy ??= reason;
    this.terminateGroup();
  }

  /** SIGKILL to the group at once, for process exit where no timer will fire. */
  killNow(reason: StopReason): void {
    this.stoppedBy ??= reason;
    if (this.pid !== undefined) signalGroup(this.pid, 'SIGKILL');
  }

  /** Called when the leader exits: whatever it left behind in its group is stopped too. */
  terminateGroup(): void {
    if (this.pid === undefined || this.terminating) return;
    this.terminating = true;
    if (!signalGroup(this.pid, 'SIGTERM')) return;
    const pid = this.pid;
    setTimeout(() => signalGroup(pid, 'SIGKILL'), this.killGraceMs).unref();
  }
}

/** Starts `bash -c command` detached (its own process group) with stdin closed. */
export function startCommand(spec: CommandSpec): RunningCommand {
  if (!execa) throw new Error('startCommand called before loadCommandRunner()');
  const subprocess = execa('bash', ['-c', spec.command], {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
    encoding: 'buffer',
    reject: false,
  });
  subprocess.all?.on('data', (chunk: Uint8Array) => spec.onOutput(chunk));
  const wait = subprocess.then((result): CommandEnd => {
    if (typeof result.exitCode === 'number') return { kind: 'exited', exitCode: result.exitCode };
    if (typeof result.signal === 'string') return { kind: 'signaled', signal: result.signal };
    return { kind: 'failed-to-start', message: result.originalMessage || result.shortMessage || 'unknown error' };
  });
  const running = new RunningCommand(subprocess.pid, wait, spec.killGraceMs ?? 2000);
  subprocess.nodeChildProcess.once('exit', () => running.terminateGroup());
  return running;
}
