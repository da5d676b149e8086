import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect } from 'vitest';
import { diagnoseSandboxes, type SandboxCheck } from '../../sandboxes/diagnose.js';
import { test } from './fixtures.js';

const byId = (checks: SandboxCheck[], id: SandboxCheck['id']) => checks.find((check) => check.id === id)!;
const pathWithoutBwrap = () => (process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'bwrap'))).join(delimiter);

describe('diagnoseSandboxes', () => {
  test('on this machine bwrap is installed and starts', async () => {
    const diagnosis = await diagnoseSandboxes();
    expect(diagnosis.bwrapWorks).toBe(true);
    expect(byId(diagnosis.checks, 'bwrap-installed')).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^bubblewrap \d+\.\d+/) });
    expect(byId(diagnosis.checks, 'user-namespaces').status).toBe('ok');
    expect(byId(diagnosis.checks, 'bwrap-probe')).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^bwrap starts a sandbox/) });
    expect(diagnosis.checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(diagnosis.checks.map((check) => check.id)).toEqual(['bwrap-installed', 'user-namespaces', 'apparmor', 'container', 'bwrap-probe', 'container-engines']);
  });

  test('without bwrap each failure carries its fix', async () => {
    const diagnosis = await diagnoseSandboxes({ searchPath: pathWithoutBwrap() });
    expect(diagnosis.bwrapWorks).toBe(false);
    expect(byId(diagnosis.checks, 'bwrap-installed')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/apt-get install -y bubblewrap/) });
    expect(byId(diagnosis.checks, 'bwrap-probe')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/bubblewrap/) });
  });

  test('facts of a fake host: namespaces off, inside a container, an engine found', async ({ outside }) => {
    const files: Record<string, string> = {
      'proc/sys/user/max_user_namespaces': '0\n',
      '.dockerenv': '',
      'proc/1/cgroup': '0::/kubepods/burstable/pod1\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(outside, path, '..'), { recursive: true });
      writeFileSync(join(outside, path), text);
    }
    const bin = join(outside, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'podman'), '#!/bin/sh\necho "podman version 4.3.1"\n');
    chmodSync(join(bin, 'podman'), 0o755);
    const diagnosis = await diagnoseSandboxes({ root: outside, searchPath: `${bin}${delimiter}${pathWithoutBwrap()}` });
    expect(byId(diagnosis.checks, 'user-namespaces')).toMatchObject({ status: 'fail', fix: expect.stringContaining('sysctl -w user.max_user_namespaces=15000') });
    expect(byId(diagnosis.checks, 'container')).toMatchObject({ status: 'fail', summary: expect.stringContaining('/.dockerenv, cgroup: kubepods') });
    expect(byId(diagnosis.checks, 'container-engines').summary).toContain('podman version 4.3.1');
  });
});
