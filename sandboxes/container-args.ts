/**
 * The `docker run` / `podman run` argument list, built as an array. The workspace is
 * mounted at the same path (so paths in tool calls mean the same inside), the root
 * filesystem is read-only, no capabilities, no privilege gain, no network unless
 * allowed, the caller's uid and gid inside. Environment values never enter argv:
 * `--env KEY` makes the engine copy them from its own environment.
 */
import type { SecretMasks } from './secrets.js';

export type ContainerEngine = 'docker' | 'podman';

export const DEFAULT_IMAGE = 'node:22-bookworm-slim';

export interface ContainerPlan {
  engine: ContainerEngine;
  image: string;
  /** A unique name, so the container can be removed even if its client is killed. */
  name: string;
  /** Real paths: the workspace first, then the extra writable trees. */
  writable: string[];
  /** Real paths mounted read-only at the same path (tool code, .git/hooks, ...). */
  readOnly: string[];
  /** Secrets; only those under a mounted path matter (the rest of the host is not visible). */
  masks: SecretMasks;
  network: boolean;
  cwd: string;
  /** Names of the variables passed through (their values travel in the engine's environment). */
  envKeys: string[];
  uid: number;
  gid: number;
}

/** Variables the engine's own client needs from the caller's environment. */
export const ENGINE_ENV_KEYS = ['PATH', 'HOME', 'XDG_RUNTIME_DIR', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'CONTAINER_HOST', 'CONTAINERS_CONF'];

/** Variables whose caller value is wrong inside the image. */
const NOT_FORWARDED = new Set(['PATH', 'HOME', 'TMPDIR']);

export function containerArgs(plan: ContainerPlan, command: string, args: readonly string[]): string[] {
  const argv = ['run', '--rm', '--interactive', '--init', '--name', plan.name, '--label', 'endure.sandbox=1'];
  if (!plan.network) argv.push('--network', 'none');
  argv.push('--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');
  if (plan.engine === 'podman' && plan.uid !== 0) argv.push('--userns', 'keep-id');
  argv.push('--user', `${plan.uid}:${plan.gid}`);
  argv.push('--tmpfs', '/tmp:rw,exec,nosuid,mode=1777');
  for (const path of plan.writable) argv.push('--volume', `${path}:${path}:rw`);
  for (const path of plan.readOnly) argv.push('--volume', `${path}:${path}:ro`);
  const mounted = [...plan.writable, ...plan.readOnly];
  const visible = (path: string) => mounted.some((root) => path === root || path.startsWith(`${root}/`));
  for (const path of plan.masks.files.filter(visible)) argv.push('--volume', `/dev/null:${path}:ro`);
  for (const path of plan.masks.dirs.filter(visible)) argv.push('--tmpfs', `${path}:ro`);
  argv.push('--env', 'HOME=/tmp', '--env', 'TMPDIR=/tmp');
  for (const key of plan.envKeys.filter((key) => !NOT_FORWARDED.has(key))) argv.push('--env', key);
  argv.push('--workdir', plan.cwd, plan.image, command, ...args);
  return argv;
}
