import { describe, expect, test } from 'vitest';
import { bwrapArgs } from '../../sandboxes/bwrap-args.js';

describe('bwrap argv', () => {
  test('mounts in order (system, private /tmp and /run, writable, read-only re-binds, masks), then confinement, env, command', () => {
    const argv = bwrapArgs(
      {
        writable: ['/work/wt', '/work/repo/.git'],
        readOnly: ['/work/repo/.git/hooks', '/work/repo/.git/config'],
        masks: { files: ['/home/u/.netrc'], dirs: ['/home/u/.ssh'] },
        network: true,
        cwd: '/work/wt',
        env: { PATH: '/usr/bin', QUOTE: "it's \"quoted\" $HOME" },
        gitConfig: '/home/u/.gitconfig',
        disableUserns: true,
        runKeep: ['/run/systemd/resolve'],
      },
      'node',
      ['server.js', '--root', '/work/wt'],
    );
    expect(argv).toEqual([
      '--ro-bind', '/', '/', '--tmpfs', '/tmp', '--tmpfs', '/run', '--ro-bind', '/run/systemd/resolve', '/run/systemd/resolve',
      '--dev', '/dev', '--proc', '/proc', '--bind', '/work/wt', '/work/wt', '--bind', '/work/repo/.git', '/work/repo/.git',
      '--ro-bind', '/work/repo/.git/hooks', '/work/repo/.git/hooks', '--ro-bind', '/work/repo/.git/config', '/work/repo/.git/config',
      '--ro-bind', '/dev/null', '/home/u/.netrc', '--tmpfs', '/home/u/.ssh',
      '--dir', '/tmp/home', '--ro-bind', '/home/u/.gitconfig', '/tmp/home/.gitconfig',
      '--unshare-all', '--unshare-user', '--disable-userns', '--share-net',
      '--cap-drop', 'ALL', '--die-with-parent', '--new-session', '--clearenv',
      '--setenv', 'PATH', '/usr/bin', '--setenv', 'QUOTE', "it's \"quoted\" $HOME", '--setenv', 'HOME', '/tmp/home', '--setenv', 'TMPDIR', '/tmp',
      '--chdir', '/work/wt', '--', 'node', 'server.js', '--root', '/work/wt',
    ]);
  });

  test('network off keeps the network namespace; old bwrap gets no --disable-userns', () => {
    const argv = bwrapArgs(
      { writable: ['/w'], readOnly: [], masks: { files: [], dirs: [] }, network: false, cwd: '/w', env: {}, disableUserns: false },
      'true',
      [],
    );
    expect(argv).not.toContain('--share-net');
    expect(argv).not.toContain('--disable-userns');
    expect(argv).toContain('--unshare-all');
  });
});
