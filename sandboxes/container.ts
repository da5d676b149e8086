/**
 * The container backend: each process runs in a fresh docker or podman container
 * (see container-args.ts for the confinement). The engine is found on the search
 * path; `prepare()` checks that it answers and that the image is present.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { SandboxError } from '../src/shared/errors.js';
import { ChildTracker } from './children.js';
import { containerArgs, DEFAULT_IMAGE, ENGINE_ENV_KEYS, type ContainerEngine } from './container-args.js';
import { findExecutable } from './executables.js';
import { findSecrets, type SecretMasks } from './secrets.js';
import type { Sandbox, SandboxOptions, SpawnOptions, WrappedCommand } from './types.js';

const CHECK_TIMEOUT_MS = 20_000;

export interface FoundEngine {
  engine: ContainerEngine;
  path: string;
}

/** The preferred engine when given, else the first of docker, podman on `searchPath`. */
export function detectContainerEngine(searchPath?: string, preferred?: ContainerEngine): FoundEngine | undefined {
  const order: ContainerEngine[] = preferred ? [preferred] : ['docker', 'podman'];
  for (const engine of order) {
    const path = findExecutable(engine, searchPath);
    if (path) return { engine, path };
  }
  return undefined;
}

export class ContainerSandbox implements Sandbox {
  readonly kind = 'container' as const;
  readonly workspace: string;
  readonly found: FoundEngine | undefined;
  readonly image: string;
  private readonly writable: string[];
  private readonly readOnly: string[];
  private readonly masks: SecretMasks;
  private readonly names = new WeakMap<ChildProcess, string>();
  private readonly children = new ChildTracker({
    deliver: (child, signal) => {
      child.kill(signal);
      const name = this.names.get(child);
      if (signal === 'SIGKILL' && name && this.found) execFile(this.found.path, ['rm', '--force', name], () => {});
    },
  });
  private prepared: Promise<void> | undefined;

  constructor(private readonly options: SandboxOptions) {
    this.workspace = options.workspace;
    this.found = detectContainerEngine(options.searchPath ?? process.env.PATH, options.container?.engine);
    this.image = options.container?.image ?? DEFAULT_IMAGE;
    this.writable = [options.workspace, ...(options.writable ?? [])].map((path) => realpathSync(path));
    this.readOnly = (options.readOnly ?? []).filter((path) => existsSync(path)).map((path) => realpathSync(path));
    this.masks = findSecrets(options.home ?? homedir(), options.hidden ?? []);
  }

  prepare(): Promise<void> {
    this.prepared ??= this.check();
    return this.prepared;
  }

  wrap(command: string, args: string[], options: SpawnOptions): WrappedCommand {
    const found = this.requireEngine();
    const name = `endure-${process.pid}-${randomBytes(4).toString('hex')}`;
    const argv = containerArgs(
      {
        engine: found.engine,
        image: this.image,
        name,
        writable: this.writable,
        readOnly: this.readOnly,
        masks: this.masks,
        network: this.options.network ?? false,
        cwd: options.cwd,
        envKeys: Object.keys(options.env),
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
      },
      command,
      args,
    );
    const engineEnv = Object.fromEntries(
      ENGINE_ENV_KEYS.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]])),
    );
    return { command: found.path, args: argv, env: { ...options.env, ...engineEnv }, cwd: options.cwd };
  }

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const wrapped = this.wrap(command, args, options);
    const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, env: wrapped.env, stdio: 'pipe' });
    this.names.set(child, wrapped.args[wrapped.args.indexOf('--name') + 1]!);
    return this.children.track(child, options.signal);
  }

  async dispose(): Promise<void> {
    await this.children.terminateAll();
  }

  private requireEngine(): FoundEngine {
    if (this.found) return this.found;
    const wanted = this.options.container?.engine ?? 'docker or podman';
    throw new SandboxError(
      'container_engine_missing',
      `no container engine: ${wanted} is not on PATH; install one (e.g. apt-get install -y podman) or choose --sandbox bwrap`,
    );
  }

  private async check(): Promise<void> {
    const { engine, path } = this.requireEngine();
    const info = await run(path, ['info']);
    if (info.code !== 0) {
      const start = engine === 'docker' ? 'sudo systemctl start docker' : 'podman system service (or check podman info)';
      throw new SandboxError(
        'container_engine_down',
        `${engine} cannot run containers (${info.said}); start it (${start}) or choose --sandbox bwrap`,
      );
    }
    const image = await run(path, ['image', 'inspect', this.image]);
    if (image.code !== 0) {
      throw new SandboxError(
        'container_image_missing',
        `container image ${this.image} is not present; pull or build it first: ${engine} pull ${this.image}`,
      );
    }
  }
}

function run(file: string, args: string[]): Promise<{ code: number; said: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: CHECK_TIMEOUT_MS }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const said = `${stderr}`.split('\n').map((line) => line.trim()).find(Boolean) ?? error?.message ?? '';
      resolve({ code, said });
    });
  });
}
