import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { createSandbox, SandboxError } from '../../sandboxes/index.js';
import { createWorktree, removeWorktree, worktreeSandboxPaths } from '../../sandboxes/worktree.js';
import { BASE_ENV, finished } from './fixtures.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

interface Repo {
  /** The user's checkout, on branch main with one commit. */
  repo: string;
  sessionDir: string;
}

const test = base.extend<{ fixture: Repo }>({
  // eslint-disable-next-line no-empty-pattern
  fixture: async ({}, use) => {
    const root = mkdtempSync(join(tmpdir(), 'endure-wt-'));
    const repo = join(root, 'repo');
    git(root, 'init', '-q', '-b', 'main', repo);
    git(repo, 'config', 'user.name', 'Test User');
    git(repo, 'config', 'user.email', 'test@example.com');
    writeFileSync(join(repo, 'README.md'), 'hello\n');
    git(repo, 'add', 'README.md');
    git(repo, 'commit', '-qm', 'initial');
    await use({ repo, sessionDir: join(root, 'session') });
    rmSync(root, { recursive: true, force: true });
  },
});

describe('worktree', () => {
  test('changes land on the session branch only; the user checkout is untouched', async ({ fixture }) => {
    const head = git(fixture.repo, 'rev-parse', 'HEAD');
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's1', sessionDir: fixture.sessionDir });
    expect(wt.path).toBe(join(fixture.sessionDir, 'worktree'));
    expect(wt.branch).toBe('endure/s1');
    expect(wt.base).toBe(head);
    expect(wt.baseRef).toBe('main');
    writeFileSync(join(wt.path, 'README.md'), 'changed by the agent\n');
    writeFileSync(join(wt.path, 'new.txt'), 'new\n');
    git(wt.path, 'commit', '-qam', 'agent edit');
    const result = await wt.finish('branch');
    expect(result).toEqual({ mode: 'branch', branch: 'endure/s1', commits: 2 });
    expect(git(fixture.repo, 'show', 'endure/s1:new.txt')).toBe('new');
    expect(readFileSync(join(fixture.repo, 'README.md'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(fixture.repo, 'new.txt'))).toBe(false);
    expect(git(fixture.repo, 'rev-parse', 'main')).toBe(head);
    expect(git(fixture.repo, 'status', '--porcelain')).toBe('');
    await wt.remove({ keepBranch: true });
    expect(existsSync(wt.path)).toBe(false);
    expect(git(fixture.repo, 'branch', '--list', 'endure/s1')).toContain('endure/s1');
  });

  test('patch mode writes a patch that applies to the user checkout', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's2', sessionDir: fixture.sessionDir });
    writeFileSync(join(wt.path, 'README.md'), 'patched\n');
    const patchFile = join(fixture.sessionDir, 'out.patch');
    const result = await wt.finish('patch', patchFile);
    expect(result).toMatchObject({ mode: 'patch', commits: 1, patchFile });
    expect(readFileSync(patchFile, 'utf8')).toContain('+patched');
    expect(readFileSync(join(fixture.repo, 'README.md'), 'utf8')).toBe('hello\n');
    git(fixture.repo, 'apply', patchFile);
    expect(readFileSync(join(fixture.repo, 'README.md'), 'utf8')).toBe('patched\n');
    await expect(wt.finish('patch')).rejects.toThrow(/--patch FILE/);
    await wt.remove();
  });

  test('merge mode merges into the branch the user was on', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's3', sessionDir: fixture.sessionDir });
    writeFileSync(join(wt.path, 'feature.txt'), 'feature\n');
    const result = await wt.finish('merge');
    expect(result).toMatchObject({ mode: 'merge', into: 'main', commits: 1 });
    expect(readFileSync(join(fixture.repo, 'feature.txt'), 'utf8')).toBe('feature\n');
    expect(git(fixture.repo, 'rev-parse', 'main')).toBe(git(fixture.repo, 'rev-parse', 'endure/s3'));
    await wt.remove();
  });

  test('merge into a branch the user has left is a fast-forward of its ref', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's4', sessionDir: fixture.sessionDir });
    git(fixture.repo, 'switch', '-q', '-c', 'elsewhere');
    writeFileSync(join(wt.path, 'feature.txt'), 'feature\n');
    const result = await wt.finish('merge');
    expect(result).toMatchObject({ into: 'main', head: git(fixture.repo, 'rev-parse', 'endure/s4') });
    expect(existsSync(join(fixture.repo, 'feature.txt'))).toBe(false);
    await wt.remove();
  });

  test('a conflicting merge is aborted and the branch kept', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's5', sessionDir: fixture.sessionDir });
    writeFileSync(join(wt.path, 'README.md'), 'agent\n');
    writeFileSync(join(fixture.repo, 'README.md'), 'user\n');
    git(fixture.repo, 'commit', '-qam', 'user edit');
    const error = await wt.finish('merge').then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).message).toMatch(/could not merge endure\/s5 into main .*merge it by hand \(git merge endure\/s5\)$/);
    expect(git(fixture.repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(fixture.repo, 'README.md'), 'utf8')).toBe('user\n');
    await wt.remove();
  });

  test('remove cleans up the worktree and the branch, also from another process by id', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's6', sessionDir: fixture.sessionDir });
    writeFileSync(join(wt.path, 'scratch.txt'), 'x\n');
    await wt.remove();
    expect(existsSync(wt.path)).toBe(false);
    expect(git(fixture.repo, 'branch', '--list', 'endure/*')).toBe('');
    expect(git(fixture.repo, 'worktree', 'list', '--porcelain')).not.toContain(wt.path);
    const again = await createWorktree({ repo: fixture.repo, sessionId: 's7', path: join(fixture.sessionDir, 'other') });
    await removeWorktree({ repo: fixture.repo, sessionId: 's7', path: again.path });
    expect(existsSync(again.path)).toBe(false);
    expect(git(fixture.repo, 'branch', '--list', 'endure/*')).toBe('');
  });

  test('reopening a session finds its branch and work; stale worktrees are pruned', async ({ fixture }) => {
    const first = await createWorktree({ repo: fixture.repo, sessionId: 's8', sessionDir: fixture.sessionDir });
    writeFileSync(join(first.path, 'kept.txt'), 'kept\n');
    git(first.path, 'add', 'kept.txt');
    git(first.path, 'commit', '-qm', 'kept');
    const reopened = await createWorktree({ repo: fixture.repo, sessionId: 's8', sessionDir: fixture.sessionDir });
    expect(reopened.base).toBe(first.base);
    expect(readFileSync(join(reopened.path, 'kept.txt'), 'utf8')).toBe('kept\n');
    rmSync(first.path, { recursive: true, force: true });
    const revived = await createWorktree({ repo: fixture.repo, sessionId: 's8', sessionDir: fixture.sessionDir });
    expect(readFileSync(join(revived.path, 'kept.txt'), 'utf8')).toBe('kept\n');
    expect(git(fixture.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
    await revived.remove();
  });

  test('a session id that cannot name a branch, and a directory that is no repository, are refused', async ({ fixture }) => {
    await expect(createWorktree({ repo: fixture.repo, sessionId: '../x', sessionDir: fixture.sessionDir })).rejects.toThrow(/cannot name a git branch/);
    await expect(createWorktree({ repo: tmpdir(), sessionId: 'ok', sessionDir: fixture.sessionDir })).rejects.toThrow(/not inside a git repository/);
  });

  test('inside bwrap: git commit works, .git/hooks and .git/config stay read-only', async ({ fixture }) => {
    const wt = await createWorktree({ repo: fixture.repo, sessionId: 's9', sessionDir: fixture.sessionDir });
    const paths = worktreeSandboxPaths(wt);
    const sandbox = createSandbox('bwrap', { workspace: wt.path, ...paths });
    await sandbox.prepare();
    const hooks = join(wt.gitCommonDir, 'hooks', 'pre-commit');
    const script = [
      'echo inside > inside.txt',
      'git add inside.txt',
      'git commit -qm "from the sandbox"',
      'git log -1 --format=%s',
      `(echo 'touch /tmp/pwned' > ${hooks}) 2>&1 || echo hooks-denied`,
      `(echo '[core] hooksPath = /x' >> ${join(wt.gitCommonDir, 'config')}) 2>&1 || echo config-denied`,
    ].join('; ');
    const result = await finished(sandbox.spawn('bash', ['-c', script], { cwd: wt.path, env: BASE_ENV }));
    expect(result.stdout).toContain('from the sandbox\n');
    expect(result.stdout).toContain('hooks-denied');
    expect(result.stdout).toContain('config-denied');
    expect(existsSync(hooks)).toBe(false);
    expect(readFileSync(join(wt.gitCommonDir, 'config'), 'utf8')).not.toContain('hooksPath');
    expect(git(fixture.repo, 'log', '-1', '--format=%s', 'endure/s9')).toBe('from the sandbox');
    expect(existsSync(join(fixture.repo, 'inside.txt'))).toBe(false);
    await sandbox.dispose();
    await wt.remove();
  });
});
