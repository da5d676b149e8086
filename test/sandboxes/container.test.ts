import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { containerArgs, type ContainerPlan } from '../../sandboxes/container-args.js';
import { detectContainerEngine } from '../../sandboxes/container.js';
import { createSandbox, SandboxError } from '../../sandboxes/index.js';
import { finished, test } from './fixtures.js';

const PLAN: ContainerPlan = {
  engine: 'docker',
  image: 'node:22-bookworm-slim',
  name: 'endure-1-abcd',
  writable: ['/work/project', '/work/repo/.git'],
  readOnly: ['/work/repo/.git/hooks', '/opt/endure/dist'],
  masks: { files: ['/work/project/.npmrc', '/root/.netrc'], dirs: ['/work/project/.ssh', '/root/.aws'] },
  network: false,
  cwd: '/work/project/src',
  envKeys: ['PATH', 'HOME', 'API_TOKEN', 'LANG'],
  uid: 1000,
  gid: 1000,
};

/** A stand-in engine: answers `info` and `image inspect` as told, and prints what `run` received. */
function fakeEngine(dir: string, name: 'docker' | 'podman', behaviour: { info?: number; image?: number } = {}): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, name),
    [
      '#!/bin/sh',
      `if [ "$1" = info ]; then [ ${behaviour.info ?? 0} = 0 ] || echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit ${behaviour.info ?? 0}; fi`,
      `if [ "$1" = image ]; then exit ${behaviour.image ?? 0}; fi`,
      'for arg in "$@"; do printf "%s\\n" "$arg"; done',
      'echo "API_TOKEN=$API_TOKEN"',
    ].join('\n'),
  );
  chmodSync(join(bin, name), 0o755);
  return bin;
}

describe('container argv', () => {
  test('docker: confined, workspace at the same path, env by name only', () => {
    expect(containerArgs(PLAN, 'node', ['server.js', '--root', '/work/project'])).toEqual([
      'run', '--rm', '--interactive', '--init', '--name', 'endure-1-abcd', '--label', 'endure.sandbox=1',
      '--network', 'none', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '--user', '1000:1000', '--tmpfs', '/tmp:rw,exec,nosuid,mode=1777',
      '--volume', '/work/project:/work/project:rw', '--volume', '/work/repo/.git:/work/repo/.git:rw',
      '--volume', '/work/repo/.git/hooks:/work/repo/.git/hooks:ro', '--volume', '/opt/endure/dist:/opt/endure/dist:ro',
      '--volume', '/dev/null:/work/project/.npmrc:ro', '--tmpfs', '/work/project/.ssh:ro',
      '--env', 'HOME=/tmp', '--env', 'TMPDIR=/tmp', '--env', 'API_TOKEN', '--env', 'LANG',
      '--workdir', '/work/project/src', 'node:22-bookworm-slim', 'node', 'server.js', '--root', '/work/project',
    ]);
  });

  test('podman rootless maps the user with keep-id; network on drops --network none', () => {
    const argv = containerArgs({ ...PLAN, engine: 'podman', network: true }, 'true', []);
    expect(argv).not.toContain('--network');
    expect(argv.slice(argv.indexOf('--userns'), argv.indexOf('--userns') + 4)).toEqual(['--userns', 'keep-id', '--user', '1000:1000']);
    expect(containerArgs({ ...PLAN, engine: 'podman', uid: 0, gid: 0 }, 'true', [])).not.toContain('--userns');
  });
});

describe('container engine', () => {
  test('detection prefers docker, honours a preferred engine, and finds none on an empty path', ({ outside }) => {
    const bin = fakeEngine(outside, 'docker');
    fakeEngine(outside, 'podman');
    expect(detectContainerEngine(bin)).toEqual({ engine: 'docker', path: join(bin, 'docker') });
    expect(detectContainerEngine(bin, 'podman')).toEqual({ engine: 'podman', path: join(bin, 'podman') });
    expect(detectContainerEngine(join(outside, 'nothing'))).toBeUndefined();
  });

  test('prepare() names the missing engine, a daemon that is down, a missing image', async ({ workspace, outside }) => {
    const none = createSandbox('container', { workspace, searchPath: join(outside, 'nothing') });
    await expect(none.prepare()).rejects.toMatchObject({ code: 'container_engine_missing' });
    const down = createSandbox('container', { workspace, searchPath: fakeEngine(join(outside, 'down'), 'docker', { info: 1 }) });
    const error = await down.prepare().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).message).toBe('docker cannot run containers (Cannot connect to the Docker daemon at unix:///var/run/docker.sock); start it (sudo systemctl start docker) or choose --sandbox bwrap');
    const noImage = createSandbox('container', { workspace, searchPath: fakeEngine(join(outside, 'img'), 'podman', { image: 1 }), container: { image: 'endure-tools:1' } });
    await expect(noImage.prepare()).rejects.toThrow('container image endure-tools:1 is not present; pull or build it first: podman pull endure-tools:1');
    const ready = createSandbox('container', { workspace, searchPath: fakeEngine(join(outside, 'ok'), 'docker') });
    await ready.prepare();
  });

  test('spawn runs the engine with the built argv; secret values travel in its environment', async ({ workspace, outside }) => {
    const sandbox = createSandbox('container', { workspace, searchPath: fakeEngine(outside, 'docker') });
    const child = sandbox.spawn('node', ['server.js'], { cwd: workspace, env: { API_TOKEN: 's3cret', LANG: 'C' } });
    const result = await finished(child);
    const argv = result.stdout.trim().split('\n');
    expect(argv.slice(0, 4)).toEqual(['run', '--rm', '--interactive', '--init']);
    expect(argv).toContain(`${workspace}:${workspace}:rw`);
    expect(argv.slice(-4)).toEqual(['node:22-bookworm-slim', 'node', 'server.js', 'API_TOKEN=s3cret']);
    expect(argv.slice(0, -1).join(' ')).not.toContain('s3cret');
    expect(argv).toEqual(expect.arrayContaining(['--env', 'API_TOKEN']));
    await sandbox.dispose();
  });
});
