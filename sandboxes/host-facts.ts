/**
 * What the kernel and the surroundings say about creating sandboxes: the user
 * namespace switches, Ubuntu's AppArmor restriction, hints of running inside a
 * container, and the distribution (for the install command). Read from files only,
 * under a root that tests can point at a fake tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostFacts {
  isRoot: boolean;
  /** /proc/sys/user/max_user_namespaces; 0 forbids user namespaces for everyone. */
  maxUserNamespaces?: number;
  /** kernel.unprivileged_userns_clone (Debian's older kernels); 0 forbids them for non-root. */
  unprivilegedUsernsClone?: number;
  /** kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+); 1 confines them for non-root. */
  apparmorRestrictsUserns?: number;
  /** Why we might be inside a container: '/.dockerenv', '/run/.containerenv', 'cgroup: docker', ... */
  containerHints: string[];
  /** os-release ID and ID_LIKE, e.g. ['ubuntu', 'debian']. */
  distro: string[];
}

export function readHostFacts(root = '/'): HostFacts {
  return {
    isRoot: process.getuid?.() === 0,
    maxUserNamespaces: readNumber(join(root, 'proc/sys/user/max_user_namespaces')),
    unprivilegedUsernsClone: readNumber(join(root, 'proc/sys/kernel/unprivileged_userns_clone')),
    apparmorRestrictsUserns: readNumber(join(root, 'proc/sys/kernel/apparmor_restrict_unprivileged_userns')),
    containerHints: containerHints(root),
    distro: distro(root),
  };
}

function containerHints(root: string): string[] {
  const hints = ['.dockerenv', 'run/.containerenv'].filter((path) => existsSync(join(root, path))).map((p) => `/${p}`);
  const cgroup = readText(join(root, 'proc/1/cgroup')) ?? '';
  const engine = /\b(docker|kubepods|containerd|libpod|lxc)\b/.exec(cgroup)?.[1];
  if (engine) hints.push(`cgroup: ${engine}`);
  return hints;
}

function distro(root: string): string[] {
  const text = readText(join(root, 'etc/os-release')) ?? '';
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '';
  return `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/).filter(Boolean);
}

function readNumber(path: string): number | undefined {
  const text = readText(path);
  const value = text === undefined ? NaN : Number.parseInt(text.trim(), 10);
  return Number.isNaN(value) ? undefined : value;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The package manager command that installs `pkg` on this distribution. */
export function installCommand(facts: HostFacts, pkg: string): string {
  const sudo = facts.isRoot ? '' : 'sudo ';
  const is = (...ids: string[]) => ids.some((id) => facts.distro.includes(id));
  if (is('fedora', 'rhel', 'centos')) return `${sudo}dnf install -y ${pkg}`;
  if (is('arch')) return `${sudo}pacman -S --noconfirm ${pkg}`;
  if (is('alpine')) return `${sudo}apk add ${pkg}`;
  if (is('opensuse', 'suse')) return `${sudo}zypper install -y ${pkg}`;
  return `${sudo}apt-get install -y ${pkg}`;
}
