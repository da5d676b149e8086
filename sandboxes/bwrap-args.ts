/**
 * The bubblewrap argument list, built as an array (no shell quoting anywhere). Mount
 * order matters, since a later mount covers an earlier one: the read-only system, a
 * private /tmp, an empty /run (where the sockets of docker, dbus and databases live:
 * a read-only mount does not stop connecting to a socket), /dev and /proc, then the
 * writable trees, then read-only re-binds inside them, then the secret masks.
 */
import type { SecretMasks } from './secrets.js';

/** Where HOME points inside: on the private /tmp, so tools that write ~/.npm work. */
export const SANDBOX_HOME = '/tmp/home';

export interface BwrapPlan {
  /** Real paths: the workspace first, then the extra writable trees. */
  writable: string[];
  /** Real, existing paths re-bound read-only (after the writable binds). */
  readOnly: string[];
  masks: SecretMasks;
  network: boolean;
  cwd: string;
  env: Record<string, string>;
  /** The user's git config, bound read-only as the sandbox HOME's .gitconfig. */
  gitConfig?: string;
  /** Forbid nested user namespaces (`--disable-userns`, bwrap 0.8.0 and later). */
  disableUserns: boolean;
  /** Existing parts of /run kept (read-only) over its empty tmpfs: the DNS resolver's files. */
  runKeep?: string[];
  /**
   * What running programs needs that the private /tmp and /run would hide: the
   * Node binary and endure's own install when they live there (a checkout in /tmp).
   * Bound read-only before the writable trees, so a workspace inside them stays writable.
   */
  runtime?: string[];
  /** The descriptor bwrap reads the seccomp filter from (seccomp.ts: no Unix sockets). */
  seccompFd?: number;
}

/** What /run may keep: resolv.conf often points into these. Sockets (docker, dbus, databases) stay hidden. */
export const RUN_KEEP: readonly string[] = ['/run/systemd/resolve', '/run/resolvconf', '/run/NetworkManager/resolv.conf'];

export function bwrapArgs(plan: BwrapPlan, command: string, args: readonly string[]): string[] {
  const argv = ['--ro-bind', '/', '/', '--tmpfs', '/tmp', '--tmpfs', '/run'];
  for (const path of plan.runKeep ?? []) argv.push('--ro-bind', path, path);
  for (const path of plan.runtime ?? []) argv.push('--ro-bind', path, path);
  argv.push('--dev', '/dev', '--proc', '/proc');
  for (const path of plan.writable) argv.push('--bind', path, path);
  for (const path of plan.readOnly) argv.push('--ro-bind', path, path);
  for (const path of plan.masks.files) argv.push('--ro-bind', '/dev/null', path);
  for (const path of plan.masks.dirs) argv.push('--tmpfs', path);
  argv.push('--dir', SANDBOX_HOME);
  if (plan.gitConfig) argv.push('--ro-bind', plan.gitConfig, `${SANDBOX_HOME}/.gitconfig`);
  argv.push('--unshare-all', '--unshare-user');
  if (plan.disableUserns) argv.push('--disable-userns');
  if (plan.network) argv.push('--share-net');
  argv.push('--cap-drop', 'ALL', '--die-with-parent', '--new-session', '--clearenv');
  if (plan.seccompFd !== undefined) argv.push('--seccomp', String(plan.seccompFd));
  const env = { ...plan.env, HOME: SANDBOX_HOME, TMPDIR: '/tmp' };
  for (const [key, value] of Object.entries(env)) argv.push('--setenv', key, value);
  argv.push('--chdir', plan.cwd, '--', command, ...args);
  return argv;
}
