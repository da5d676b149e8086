/**
 * The sandbox half of `endure doctor`: is bubblewrap installed, may it create user
 * namespaces (the kernel switches, Ubuntu's AppArmor restriction, an unprivileged
 * container), does it actually start, and which container engines are there. Each
 * problem carries its exact fix. Returns data; the CLI prints it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BwrapSandbox } from './bwrap.js';
import { bwrapMissing } from './bwrap-failure.js';
import { detectContainerEngine } from './container.js';
import { readHostFacts, type HostFacts } from './host-facts.js';

/** `fail` stops a bwrap sandbox from starting; `warn` is worth fixing; `info` is context. */
export type CheckStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface SandboxCheck {
  id: 'bwrap-installed' | 'user-namespaces' | 'apparmor' | 'container' | 'bwrap-probe' | 'container-engines';
  status: CheckStatus;
  summary: string;
  /** The exact command or setting that fixes a `fail` or `warn`. */
  fix?: string;
}

export interface SandboxDiagnosis {
  checks: SandboxCheck[];
  /** True when a bwrap sandbox starts here (the default on Linux then). */
  bwrapWorks: boolean;
}

export interface DiagnoseOptions {
  /** @default process.env.PATH */
  searchPath?: string;
  /** Root of the files the host facts are read from. @default '/' */
  root?: string;
}

export async function diagnoseSandboxes(options: DiagnoseOptions = {}): Promise<SandboxDiagnosis> {
  const facts = readHostFacts(options.root);
  const workspace = mkdtempSync(join(tmpdir(), 'endure-doctor-'));
  try {
    const sandbox = new BwrapSandbox({ workspace, searchPath: options.searchPath }, () => facts);
    const started = performance.now();
    const failure = await sandbox.probe();
    const probeMs = performance.now() - started;
    const checks: SandboxCheck[] = [
      await installed(sandbox.bwrapPath, facts),
      userNamespaces(facts),
      apparmor(facts, !failure),
      container(facts, !failure),
      failure
        ? { id: 'bwrap-probe', status: 'fail', summary: failure.problem, fix: failure.fix }
        : { id: 'bwrap-probe', status: 'ok', summary: `bwrap starts a sandbox (${Math.round(probeMs)} ms)` },
      await engines(options.searchPath),
    ];
    return { checks, bwrapWorks: !failure };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

async function installed(bwrapPath: string | undefined, facts: HostFacts): Promise<SandboxCheck> {
  if (!bwrapPath) {
    const missing = bwrapMissing(facts);
    return { id: 'bwrap-installed', status: 'fail', summary: missing.problem, fix: missing.fix };
  }
  const version = await versionOf(bwrapPath);
  return { id: 'bwrap-installed', status: 'ok', summary: `${version || 'bubblewrap'} at ${bwrapPath}` };
}

function userNamespaces(facts: HostFacts): SandboxCheck {
  const sudo = facts.isRoot ? '' : 'sudo ';
  if (facts.maxUserNamespaces === 0) {
    return { id: 'user-namespaces', status: 'fail', summary: 'user namespaces are switched off (user.max_user_namespaces = 0)', fix: `${sudo}sysctl -w user.max_user_namespaces=15000` };
  }
  if (facts.unprivilegedUsernsClone === 0 && !facts.isRoot) {
    return { id: 'user-namespaces', status: 'fail', summary: 'unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0)', fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' };
  }
  const limit = facts.maxUserNamespaces === undefined ? 'no limit file' : `max_user_namespaces = ${facts.maxUserNamespaces}`;
  return { id: 'user-namespaces', status: 'ok', summary: `user namespaces allowed (${limit})` };
}

function apparmor(facts: HostFacts, works: boolean): SandboxCheck {
  if (facts.apparmorRestrictsUserns !== 1) return { id: 'apparmor', status: 'ok', summary: 'no AppArmor restriction on user namespaces' };
  if (works || facts.isRoot) {
    return { id: 'apparmor', status: 'info', summary: 'AppArmor restricts unprivileged user namespaces, but bwrap works here' };
  }
  return {
    id: 'apparmor',
    status: 'fail',
    summary: "Ubuntu's AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)",
    fix: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for bwrap with `userns,` (see the bwrap-probe fix)',
  };
}

function container(facts: HostFacts, works: boolean): SandboxCheck {
  if (facts.containerHints.length === 0) return { id: 'container', status: 'ok', summary: 'not inside a container' };
  const hints = facts.containerHints.join(', ');
  if (works) return { id: 'container', status: 'info', summary: `container hints (${hints}), but namespaces work here` };
  return {
    id: 'container',
    status: 'fail',
    summary: `inside a container (${hints}) that forbids namespaces`,
    fix: 'start the container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or --privileged), or use --sandbox host and let the container isolate',
  };
}

async function engines(searchPath: string | undefined): Promise<SandboxCheck> {
  const found = (['docker', 'podman'] as const).flatMap((engine) => {
    const hit = detectContainerEngine(searchPath, engine);
    return hit ? [hit] : [];
  });
  if (found.length === 0) {
    return { id: 'container-engines', status: 'info', summary: 'no docker or podman on PATH (needed only for --sandbox container)' };
  }
  const versions = await Promise.all(found.map(async (hit) => (await versionOf(hit.path)) || `${hit.engine} at ${hit.path}`));
  return { id: 'container-engines', status: 'info', summary: versions.join('; ') };
}

function versionOf(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 5000 }, (error, stdout) => resolve(error ? '' : `${stdout}`.trim().split('\n')[0]!));
  });
}
