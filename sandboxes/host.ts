/**
 * The host backend: no OS confinement (the tools' own path checks still hold). Each
 * process runs detached in its own process group, so ending it on abort or dispose
 * also ends whatever it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ChildTracker } from './children.js';
import type { Sandbox, SandboxOptions, SpawnOptions, WrappedCommand } from './types.js';

export class HostSandbox implements Sandbox {
  readonly kind = 'host' as const;
  readonly workspace: string;
  private readonly children = new ChildTracker({
    deliver: (child, signal) => process.kill(-child.pid!, signal),
    onExit: (child) => killGroup(child, 'SIGKILL'),
  });

  constructor(options: SandboxOptions) {
    this.workspace = options.workspace;
  }

  async prepare(): Promise<void> {}

  wrap(command: string, args: string[], options: SpawnOptions): WrappedCommand {
    return { command, args: [...args], env: { ...options.env }, cwd: options.cwd };
  }

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const wrapped = this.wrap(command, args, options);
    const child = spawn(wrapped.command, wrapped.args, {
      cwd: wrapped.cwd,
      env: wrapped.env,
      detached: true,
      stdio: 'pipe',
    });
    return this.children.track(child, options.signal);
  }

  async dispose(): Promise<void> {
    await this.children.terminateAll();
  }
}

/** Sweeps what a finished leader left behind in its group. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already empty
  }
}
