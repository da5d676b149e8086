/**
 * The bubblewrap backend: the system read-only, the workspace (and the extra
 * writable trees) writable, private /tmp, /dev and /proc, every namespace unshared
 * (the network kept only when allowed), all capabilities dropped, secrets masked,
 * and the sandbox ends with its parent. `prepare()` proves it can start, once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from '../src/shared/errors.js';
import { bwrapArgs, RUN_KEEP, type BwrapPlan } from './bwrap-args.js';
import { bwrapMissing, explainBwrapFailure, type BwrapFailure } from './bwrap-failure.js';
import { ChildTracker } from './children.js';
import { findExecutable } from './executables.js';
import { readHostFacts, type HostFacts } from './host-facts.js';
import { findSecrets, type SecretMasks } from './secrets.js';
import { unixSocketFilter, writeFilterFile } from './seccomp.js';
import type { Sandbox, SandboxOptions, SpawnOptions, WrappedCommand } from './types.js';

const PROBE_TIMEOUT_MS = 10_000;
/** The descriptor the seccomp filter is opened on for bwrap (by the small shell that starts it). */
const SECCOMP_FD = 9;
/** Where the allow-list proxy answers inside the sandbox (its own network namespace: no clash). */
export const SANDBOX_PROXY_PORT = 3128;

/** The variables that send HTTP clients to the proxy, in both spellings (cli.md). */
export function proxyEnvironment(port = SANDBOX_PROXY_PORT): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  const noProxy = 'localhost,127.0.0.1,::1';
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}

/** The private /tmp and /run cover whatever the host has there. */
function hiddenInside(path: string): boolean {
  return /^\/(tmp|run)\/./.test(path);
}

/**
 * The Node binary's install and endure's own package root, when the sandbox's
 * private /tmp or /run would hide them (e.g. a CI checkout under /tmp): the
 * tool servers run as `node <endure>/dist/tools/...` inside.
 */
function hiddenRuntimePaths(): string[] {
  const node = dirname(dirname(realpathSync(process.execPath)));
  return [...new Set([node, packageRoot()])].filter(hiddenInside).sort();
}

/** The nearest directory above this module that holds a package.json (from source or dist/). */
function packageRoot(): string {
  let dir = dirname(realpathSync(fileURLToPath(import.meta.url)));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;
  readonly workspace: string;
  /** Absolute path of bwrap, or undefined when it is not on the search path. */
  readonly bwrapPath: string | undefined;
  private readonly writable: string[];
  private readonly readOnly: string[];
  private readonly masks: SecretMasks;
  private readonly gitConfig: string | undefined;
  private disableUserns: boolean | undefined;
  private readonly runKeep = RUN_KEEP.filter((path) => existsSync(path));
  private readonly runtime = hiddenRuntimePaths();
  private readonly children = new ChildTracker({ deliver: (child, signal) => child.kill(signal) });
  private prepared: Promise<void> | undefined;
  private filterFile: { path: string; dispose(): void } | undefined;

  constructor(
    private readonly options: SandboxOptions,
    private readonly facts: () => HostFacts = () => readHostFacts(),
  ) {
    this.workspace = options.workspace;
    this.bwrapPath = findExecutable('bwrap', options.searchPath ?? process.env.PATH);
    this.writable = [options.workspace, ...(options.writable ?? [])].map((path) => realWritable(path));
    this.readOnly = (options.readOnly ?? []).filter((path) => existsSync(path)).map((path) => realpathSync(path));
    const home = options.home ?? homedir();
    this.masks = findSecrets(home, options.hidden ?? []);
    const gitConfig = join(home, '.gitconfig');
    this.gitConfig = existsSync(gitConfig) ? gitConfig : undefined;
  }

  prepare(): Promise<void> {
    this.prepared ??= this.probe().then((failure) => {
      if (failure) throw new SandboxError(failure.code, failure.message);
    });
    return this.prepared;
  }

  wrap(command: string, args: string[], options: SpawnOptions): WrappedCommand {
    if (!this.bwrapPath) {
      const missing = bwrapMissing(this.facts());
      throw new SandboxError(missing.code, missing.message);
    }
    const plan: BwrapPlan = {
      writable: this.writable,
      readOnly: this.readOnly,
      masks: this.masks,
      network: this.options.network ?? false,
      cwd: options.cwd,
      env: options.env,
      gitConfig: this.gitConfig,
      disableUserns: (this.disableUserns ??= supportsDisableUserns(this.bwrapPath)),
      runKeep: this.runKeep,
      runtime: this.runtime,
    };
    const filter = this.seccompFilterPath();
    if (this.options.proxy !== undefined) return this.wrapWithProxy(this.options.proxy, filter, plan, command, args);
    if (filter === undefined) return { command: this.bwrapPath, args: bwrapArgs(plan, command, args), env: {}, cwd: options.cwd };
    // bwrap reads the filter from a descriptor; a shell opens it, then becomes bwrap,
    // so any spawner (the MCP SDK's included) can start the result as a plain argv.
    const argv = bwrapArgs({ ...plan, seccompFd: SECCOMP_FD }, command, args);
    const open = `f=$1; shift; exec "$@" ${SECCOMP_FD}<"$f"`;
    return { command: '/bin/sh', args: ['-c', open, 'sh', filter, this.bwrapPath, ...argv], env: {}, cwd: options.cwd };
  }

  /**
   * `--network allow=...`: no network namespace shared; inside, net-forwarder.js
   * listens on 127.0.0.1 and hands connections to net-launcher.js outside, which
   * joins them to the proxy (see net-launcher.ts for why it goes that way round).
   */
  private wrapWithProxy(proxy: string, filter: string | undefined, plan: BwrapPlan, command: string, args: string[]): WrappedCommand {
    const helpers = join(packageRoot(), 'dist', 'sandboxes');
    const inside: BwrapPlan = {
      ...plan,
      network: false,
      env: { ...plan.env, ...proxyEnvironment(), NODE_CHANNEL_FD: '3' },
      ...(filter === undefined ? {} : { seccompFd: 4 }),
    };
    const forwarder = [join(helpers, 'net-forwarder.js'), String(SANDBOX_PROXY_PORT), '--', command, ...args];
    const argv = bwrapArgs(inside, process.execPath, forwarder);
    return { command: process.execPath, args: [join(helpers, 'net-launcher.js'), proxy, filter ?? '-', this.bwrapPath!, ...argv], env: {}, cwd: plan.cwd };
  }

  /** The no-Unix-sockets filter, written once per sandbox; undefined on an architecture it does not know. */
  private seccompFilterPath(): string | undefined {
    if (this.filterFile === undefined) {
      const filter = unixSocketFilter();
      if (filter === undefined) return undefined;
      this.filterFile = writeFilterFile(filter);
    }
    return this.filterFile.path;
  }

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const wrapped = this.wrap(command, args, options);
    const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, env: wrapped.env, stdio: 'pipe' });
    return this.children.track(child, options.signal);
  }

  async dispose(): Promise<void> {
    await this.children.terminateAll();
    this.filterFile?.dispose();
    this.filterFile = undefined;
  }

  /** Starts `true` in this very sandbox; the failure, explained, when it cannot start. */
  async probe(): Promise<BwrapFailure | undefined> {
    if (!this.bwrapPath) return bwrapMissing(this.facts());
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };
    const child = this.spawn('true', [], { cwd: this.workspace, env, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const outcome = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('close', (code) => resolve({ code }));
    });
    if (outcome.code === 0) return undefined;
    const said = stderr || outcome.error?.message || `exit code ${outcome.code}`;
    return explainBwrapFailure(said, this.facts(), this.bwrapPath);
  }
}

/** `--disable-userns` came with bubblewrap 0.8.0 (Ubuntu 22.04 ships 0.6). */
function supportsDisableUserns(bwrapPath: string): boolean {
  try {
    const version = /(\d+)\.(\d+)/.exec(execFileSync(bwrapPath, ['--version'], { encoding: 'utf8', timeout: 5000 }));
    return version !== null && (Number(version[1]) > 0 || Number(version[2]) >= 8);
  } catch {
    return false;
  }
}

function realWritable(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    throw new SandboxError(
      'bad_path',
      `sandbox path ${path} does not exist; create it or remove it from the writable paths`,
      { cause: error },
    );
  }
}
