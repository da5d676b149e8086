/**
 * Real temp git repositories for the git tool tests. Each test gets its own
 * HOME (so the user's global git config, and its identity, cannot leak in),
 * a workspace, and, with `repo`, that workspace initialised on branch main
 * with one commit of README.md. Usage:
 *
 *   gitTest('commits', async ({ repo, git }) => {
 *     const client = await connectInMemory(createGitServer({ root: repo }));
 *     ...
 *     expect(git('log', '--format=%s')).toBe('second\nfirst\n');
 *   });
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';

/** Who the fixture's own commits are by; the server under test must never write it to config. */
export const FIXTURE_IDENTITY = ['-c', 'user.name=Fixture Author', '-c', 'user.email=fixture@example.test'];

export interface GitFixtures {
  /** A HOME without any git config, set for the duration of the test. */
  home: string;
  /** An empty temp directory (not a repository). */
  workspace: string;
  /** `workspace` as a repository on main with one commit ("initial": README.md = "hello\n"). */
  repo: string;
  /** Runs git in the workspace and returns stdout; throws on a non-zero exit. */
  git: (...args: string[]) => string;
}

async function tempDir(prefix: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

export const gitTest = test.extend<GitFixtures>({
  home: async ({}, use) => {
    const home = await tempDir('endure-git-home-');
    const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = join(home, '.config');
    try {
      await use(home);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(home, { recursive: true, force: true });
    }
  },
  workspace: async ({ home: _home }, use) => {
    const dir = await tempDir('endure-git-ws-');
    try {
      await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  git: async ({ workspace, home }, use) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
    await use((...args) => execFileSync('git', args, { cwd: workspace, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  },
  repo: async ({ workspace, git }, use) => {
    git('init', '--quiet', '--initial-branch=main');
    await writeFile(join(workspace, 'README.md'), 'hello\n');
    git('add', 'README.md');
    git(...FIXTURE_IDENTITY, 'commit', '--quiet', '-m', 'initial');
    await use(workspace);
  },
});
