/**
 * A sandbox decides where a process runs and what it can touch. Backends turn an
 * argv into the argv that runs it confined (so any spawner, including the MCP SDK's
 * stdio transport, can use it), and can spawn it themselves.
 */
import type { ChildProcess } from 'node:child_process';

export type SandboxKind = 'host' | 'bwrap' | 'container';

export interface SandboxOptions {
  /** Absolute, real path of the only writable tree. */
  workspace: string;
  /** Let processes reach the network. @default false */
  network?: boolean;
  /**
   * The Unix socket of endure's allow-list proxy (network-proxy.ts). With it, bwrap
   * gives the sandbox no network of its own, only that proxy on 127.0.0.1:3128.
   */
  proxy?: string;
  /** Extra writable paths (e.g. the main repository's .git for a worktree). */
  writable?: string[];
  /** Paths re-bound read-only inside writable ones (.git/hooks, .git/config). */
  readOnly?: string[];
  /** Extra paths to hide (secrets); the backend adds its defaults. */
  hidden?: string[];
  /** The home directory whose secrets (~/.ssh, ~/.aws, ...) are masked. @default os.homedir() */
  home?: string;
  /** The PATH searched for bwrap, docker or podman (an absolute path is then used). @default process.env.PATH */
  searchPath?: string;
  /** Container backend only: which engine and image. */
  container?: ContainerOptions;
}

export interface ContainerOptions {
  /** @default the first of docker, podman found on the search path */
  engine?: 'docker' | 'podman';
  /** The image that has the tools' runtime (node, git, ...). @default 'node:22-bookworm-slim' */
  image?: string;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export interface WrappedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface Sandbox {
  readonly kind: SandboxKind;
  readonly workspace: string;
  /** Checks that the sandbox can start; throws SandboxError with the exact fix when not. */
  prepare(): Promise<void>;
  /** The confined form of `command args`. */
  wrap(command: string, args: string[], options: SpawnOptions): WrappedCommand;
  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess;
  dispose(): Promise<void>;
}
