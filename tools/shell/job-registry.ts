/**
 * Background jobs of one shell server: started by `run_shell` with
 * `background: true`, read with `job_output`, stopped with `job_kill`. Each
 * job keeps a bounded window of its latest output and a read cursor. Jobs never
 * outlive their server: closing the registry stops them all, and a process
 * `exit` hook SIGKILLs whatever is still running. Foreground commands are
 * tracked here too, for the same reason.
 */
import { ByteRing } from './byte-ring.js';
import { loadCommandRunner, startCommand, type CommandOutcome, type CommandSpec, type RunningCommand } from './run-command.js';

export interface Job {
  readonly id: string;
  readonly command: string;
  readonly startedAt: number;
  readonly process: RunningCommand;
  readonly output: ByteRing;
  /** Absolute offset up to which the model has read the output. */
  cursor: number;
  /** Set once the command has ended. */
  outcome?: CommandOutcome;
}

export interface JobRegistryOptions {
  /** Output bytes kept per job (the latest ones). @default 1 MiB */
  windowBytes?: number;
  /** Jobs that may run at once. @default 8 */
  maxRunning?: number;
  /** Finished jobs kept for reading; the oldest are forgotten first. @default 16 */
  maxFinished?: number;
  killGraceMs?: number;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  private readonly foreground = new Set<RunningCommand>();
  private nextId = 1;
  private closed = false;
  private exitHooked = false;
  private readonly onProcessExit = () => this.killAllNow();

  constructor(private readonly options: JobRegistryOptions = {}) {}

  /** Starts a job, or returns a message saying why it cannot start. */
  async start(spec: Omit<CommandSpec, 'onOutput' | 'killGraceMs'>): Promise<Job | string> {
    await loadCommandRunner();
    if (this.closed) return 'the shell server is shutting down; no new jobs can start';
    this.hookProcessExit();
    const maxRunning = this.options.maxRunning ?? 8;
    const running = [...this.jobs.values()].filter((job) => job.outcome === undefined);
    if (running.length >= maxRunning) {
      return `${running.length} background jobs are already running (${running.map((job) => job.id).join(', ')}); stop one with job_kill first`;
    }
    const output = new ByteRing(this.options.windowBytes ?? 1024 * 1024);
    const handle = startCommand({ ...spec, killGraceMs: this.options.killGraceMs, onOutput: (chunk) => output.write(chunk) });
    const job: Job = { id: `j${this.nextId++}`, command: spec.command, startedAt: Date.now(), process: handle, output, cursor: 0 };
    this.jobs.set(job.id, job);
    void handle.done.then((outcome) => {
      job.outcome = outcome;
      this.forgetOldFinished();
    });
    return job;
  }

  /** Starts a foreground command that, like jobs, is stopped when the server closes or the process exits. */
  async run(spec: Omit<CommandSpec, 'killGraceMs'>): Promise<RunningCommand | string> {
    await loadCommandRunner();
    if (this.closed) return 'the shell server is shutting down; no new commands can start';
    this.hookProcessExit();
    const handle = startCommand({ ...spec, killGraceMs: this.options.killGraceMs });
    this.foreground.add(handle);
    void handle.done.then(() => this.foreground.delete(handle));
    return handle;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  ids(): string[] {
    return [...this.jobs.keys()];
  }

  /** Stops every running job and waits until they have ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = [...this.foreground, ...[...this.jobs.values()].filter((job) => job.outcome === undefined).map((job) => job.process)];
    for (const handle of running) handle.stop('server-closed');
    await Promise.all(running.map((handle) => handle.done));
    process.off('exit', this.onProcessExit);
  }

  /** Hooked on the first command only, so idle servers add no process listener. */
  private hookProcessExit(): void {
    if (this.exitHooked) return;
    this.exitHooked = true;
    process.on('exit', this.onProcessExit);
  }

  private killAllNow(): void {
    for (const handle of this.foreground) handle.killNow('server-closed');
    for (const job of this.jobs.values()) if (job.outcome === undefined) job.process.killNow('server-closed');
  }

  private forgetOldFinished(): void {
    const finished = [...this.jobs.values()].filter((job) => job.outcome !== undefined);
    const excess = finished.length - (this.options.maxFinished ?? 16);
    for (const job of finished.slice(0, Math.max(0, excess))) this.jobs.delete(job.id);
  }
}
