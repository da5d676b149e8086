/**
 * Turns a failed bubblewrap probe into one line that names the cause and the exact
 * fix: bwrap missing, user namespaces switched off, Ubuntu's AppArmor restriction,
 * or an unprivileged container. Shared by `prepare()` and `endure doctor`.
 */
import { installCommand, type HostFacts } from './host-facts.js';

export type BwrapFailureCode =
  | 'bwrap_missing'
  | 'userns_disabled'
  | 'apparmor_userns'
  | 'unprivileged_container'
  | 'bwrap_failed';

export interface BwrapFailure {
  code: BwrapFailureCode;
  /** What is wrong, with bwrap's own words when it said any. */
  problem: string;
  /** The exact command or setting that fixes it. */
  fix: string;
  /** `problem; fix`: the one line that `prepare()` throws. */
  message: string;
}

function failure(code: BwrapFailureCode, problem: string, fix: string): BwrapFailure {
  return { code, problem, fix, message: `${problem}; ${fix}` };
}

const ALTERNATIVE = 'or choose --sandbox host';

export function bwrapMissing(facts: HostFacts): BwrapFailure {
  return failure(
    'bwrap_missing',
    'bubblewrap (bwrap) is not installed or not on PATH',
    `install it: ${installCommand(facts, 'bubblewrap')} (${ALTERNATIVE})`,
  );
}

/** Explains why `bwrap ... -- true` failed with `stderr` on a host with `facts`. */
export function explainBwrapFailure(stderr: string, facts: HostFacts, bwrapPath = '/usr/bin/bwrap'): BwrapFailure {
  const said = firstLine(stderr);
  const quote = said ? ` (bwrap said: ${said})` : '';
  const sudo = facts.isRoot ? '' : 'sudo ';
  if (facts.maxUserNamespaces === 0) {
    return failure(
      'userns_disabled',
      `bwrap cannot create a user namespace: user.max_user_namespaces is 0${quote}`,
      `allow them: ${sudo}sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)`,
    );
  }
  if (facts.unprivilegedUsernsClone === 0 && !facts.isRoot) {
    return failure(
      'userns_disabled',
      `bwrap cannot create a user namespace: kernel.unprivileged_userns_clone is 0${quote}`,
      'allow them: sudo sysctl -w kernel.unprivileged_userns_clone=1 (and persist it in /etc/sysctl.d/)',
    );
  }
  if (facts.apparmorRestrictsUserns === 1 && !facts.isRoot) {
    const profile = `abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile bwrap ${bwrapPath} flags=(unconfined) {\\n  userns,\\n}\\n`;
    return failure(
      'apparmor_userns',
      `bwrap cannot create a user namespace: Ubuntu's AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns=1)${quote}`,
      `either run sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give bwrap a profile: printf '${profile}' | sudo tee /etc/apparmor.d/bwrap && sudo apparmor_parser -r /etc/apparmor.d/bwrap`,
    );
  }
  if (facts.containerHints.length > 0) {
    return failure(
      'unprivileged_container',
      `bwrap cannot create namespaces: endure runs inside a container (${facts.containerHints.join(', ')}) that forbids them${quote}`,
      'start that container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or --privileged), or let the container be the isolation with --sandbox host',
    );
  }
  return failure('bwrap_failed', `bwrap could not start a sandbox${quote}`, `run endure doctor for the checks, ${ALTERNATIVE}`);
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
}
