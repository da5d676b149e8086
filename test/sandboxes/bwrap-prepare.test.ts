import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { bwrapMissing, explainBwrapFailure } from '../../sandboxes/bwrap-failure.js';
import { readHostFacts, type HostFacts } from '../../sandboxes/host-facts.js';
import { createSandbox, SandboxError } from '../../sandboxes/index.js';
import { test } from './fixtures.js';

const NAMESPACE_DENIED = 'bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces.';

/** Writes a fake root with the given /proc/sys and marker files, and reads its facts. */
function factsOf(root: string, files: Record<string, string>, isRoot = false): HostFacts {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { ...readHostFacts(root), isRoot };
}

describe('bwrap prepare()', () => {
  test('succeeds on this machine, once', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const first = sandbox.prepare();
    expect(sandbox.prepare()).toBe(first);
    await first;
  });

  test('without bwrap on PATH it fails with the install command', async ({ workspace }) => {
    const searchPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'bwrap'))).join(delimiter);
    const sandbox = createSandbox('bwrap', { workspace, searchPath });
    const error = await sandbox.prepare().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).code).toBe('bwrap_missing');
    expect((error as SandboxError).message).toMatch(/^bubblewrap \(bwrap\) is not installed or not on PATH; install it: (sudo )?apt-get install -y bubblewrap/);
    expect((error as SandboxError).message).not.toContain('\n');
    expect(() => sandbox.wrap('true', [], { cwd: workspace, env: {} })).toThrow(SandboxError);
  });

  test('a writable path that does not exist is refused up front', ({ workspace }) => {
    expect(() => createSandbox('bwrap', { workspace, writable: [join(workspace, 'missing')] })).toThrow(/does not exist/);
  });
});

describe('explaining a failed probe', () => {
  test('user namespaces switched off', ({ outside }) => {
    const facts = factsOf(outside, { 'proc/sys/user/max_user_namespaces': '0\n' });
    const failure = explainBwrapFailure(NAMESPACE_DENIED, facts);
    expect(failure.code).toBe('userns_disabled');
    expect(failure.message).toContain('sudo sysctl -w user.max_user_namespaces=15000');
    expect(failure.message).toContain('bwrap said: bwrap: No permissions to create new namespace');
  });

  test("Debian's unprivileged_userns_clone", ({ outside }) => {
    const facts = factsOf(outside, { 'proc/sys/user/max_user_namespaces': '63000', 'proc/sys/kernel/unprivileged_userns_clone': '0' });
    expect(explainBwrapFailure(NAMESPACE_DENIED, facts).message).toContain('sudo sysctl -w kernel.unprivileged_userns_clone=1');
  });

  test("Ubuntu's AppArmor restriction: the sysctl or a profile", ({ outside }) => {
    const facts = factsOf(outside, {
      'proc/sys/user/max_user_namespaces': '63000',
      'proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1',
      'etc/os-release': 'ID=ubuntu\nID_LIKE=debian\n',
    });
    const failure = explainBwrapFailure('bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted', facts, '/usr/bin/bwrap');
    expect(failure.code).toBe('apparmor_userns');
    expect(failure.message).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
    expect(failure.message).toContain('profile bwrap /usr/bin/bwrap flags=(unconfined)');
    expect(failure.message).toContain('sudo apparmor_parser -r /etc/apparmor.d/bwrap');
    expect(failure.message).not.toContain('\n');
  });

  test('inside an unprivileged container', ({ outside }) => {
    const facts = factsOf(outside, {
      'proc/sys/user/max_user_namespaces': '63000',
      '.dockerenv': '',
      'proc/1/cgroup': '0::/docker/4f1c\n',
    });
    const failure = explainBwrapFailure('bwrap: Creating new namespace failed: Operation not permitted', facts);
    expect(failure.code).toBe('unprivileged_container');
    expect(failure.message).toContain('(/.dockerenv, cgroup: docker)');
    expect(failure.message).toContain('--security-opt seccomp=unconfined');
    expect(failure.message).toContain('--sandbox host');
  });

  test('an unknown cause quotes bwrap and points at endure doctor', ({ outside }) => {
    const facts = factsOf(outside, { 'proc/sys/user/max_user_namespaces': '63000' });
    const failure = explainBwrapFailure('bwrap: Can\'t mount proc on /newroot/proc: Operation not permitted\n', facts);
    expect(failure.code).toBe('bwrap_failed');
    expect(failure.message).toBe("bwrap could not start a sandbox (bwrap said: bwrap: Can't mount proc on /newroot/proc: Operation not permitted); run endure doctor for the checks, or choose --sandbox host");
  });

  test('the install command follows the distribution', ({ outside }) => {
    expect(bwrapMissing(factsOf(join(outside, 'f'), { 'etc/os-release': 'ID="fedora"\n' })).message).toContain('sudo dnf install -y bubblewrap');
    expect(bwrapMissing(factsOf(join(outside, 'a'), { 'etc/os-release': 'ID=arch\n' }, true)).message).toContain(': pacman -S --noconfirm bubblewrap');
  });
});
