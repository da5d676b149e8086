/**
 * Delivering a worktree session's work: whatever is left uncommitted is committed
 * on the session branch first, then the user gets the branch as it is, a patch file
 * (`git apply`-able, binary-safe), or a merge into the branch they were on.
 */
import { writeFileSync } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';
import { SandboxError } from '../src/shared/errors.js';
import type { Worktree } from './worktree.js';

export type FinishMode = 'branch' | 'patch' | 'merge';

export type FinishResult =
  | { mode: 'branch'; branch: string; commits: number }
  | { mode: 'patch'; branch: string; commits: number; patchFile: string; bytes: number }
  | { mode: 'merge'; branch: string; commits: number; into: string; head: string };

/** Used only when the repository has no identity of its own, per call (never written to the shared config). */
const FALLBACK_IDENTITY = ['user.name=endure', 'user.email=endure@localhost'];

export async function finishWorktree(worktree: Worktree, mode: FinishMode, patchFile?: string): Promise<FinishResult> {
  const identity = await identityConfig(worktree.repoRoot);
  await commitPending(simpleGit({ baseDir: worktree.path, config: identity }), worktree.branch);
  const main = simpleGit({ baseDir: worktree.repoRoot, config: identity });
  const commits = Number((await main.raw(['rev-list', '--count', `${worktree.base}..${worktree.branch}`])).trim());
  switch (mode) {
    case 'branch':
      return { mode, branch: worktree.branch, commits };
    case 'patch': {
      if (!patchFile) throw new SandboxError('worktree_patch_file', 'a patch needs a file: pass --patch FILE');
      const patch = await main.raw(['diff', '--binary', '--full-index', worktree.base, worktree.branch]);
      writeFileSync(patchFile, patch);
      return { mode, branch: worktree.branch, commits, patchFile, bytes: Buffer.byteLength(patch) };
    }
    case 'merge':
      return { mode, branch: worktree.branch, commits, ...(await mergeBack(main, worktree)) };
    default: {
      const never: never = mode;
      throw new SandboxError('worktree_finish_mode', `unknown finish mode ${String(never)}; use branch, patch or merge`);
    }
  }
}

async function commitPending(git: SimpleGit, branch: string): Promise<void> {
  if ((await git.raw(['status', '--porcelain'])).trim() === '') return;
  await git.raw(['add', '--all']);
  await git.raw(['commit', '--no-verify', '--quiet', '-m', `endure: work left uncommitted on ${branch}`]);
}

async function mergeBack(main: SimpleGit, worktree: Worktree): Promise<{ into: string; head: string }> {
  const into = worktree.baseRef;
  const byHand = `the branch ${worktree.branch} is kept: merge it by hand (git merge ${worktree.branch})`;
  if (!into) throw new SandboxError('worktree_merge_failed', `cannot merge: the repository was on a detached HEAD when the session began; ${byHand}`);
  const current = (await main.raw(['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim();
  if (current === into) {
    const said = await main.raw(['merge', '--no-edit', worktree.branch]).then(
      (stdout) => stdout,
      (error: Error) => error.message,
    );
    const tip = (await main.raw(['rev-parse', worktree.branch])).trim();
    if ((await main.raw(['merge-base', tip, 'HEAD'])).trim() !== tip) {
      await main.raw(['merge', '--abort']).catch(() => undefined);
      const line = said.split('\n').map((text) => text.trim()).find((text) => /conflict|error|fatal|overwritten/i.test(text)) ?? said.trim().split('\n')[0];
      throw new SandboxError('worktree_merge_failed', `could not merge ${worktree.branch} into ${into} (git said: ${line}); ${byHand}`);
    }
  } else {
    const old = (await main.raw(['rev-parse', '--verify', `refs/heads/${into}`])).trim();
    const fastForward = (await main.raw(['merge-base', old, worktree.branch])).trim() === old;
    const checkedOut = (await main.raw(['worktree', 'list', '--porcelain'])).includes(`branch refs/heads/${into}\n`);
    if (!fastForward || checkedOut) {
      throw new SandboxError('worktree_merge_failed', `cannot merge into ${into}: it is not checked out in ${worktree.repoRoot} and cannot be fast-forwarded; ${byHand}`);
    }
    await main.raw(['update-ref', `refs/heads/${into}`, worktree.branch, old]);
  }
  return { into, head: (await main.raw(['rev-parse', `refs/heads/${into}`])).trim() };
}

async function identityConfig(repo: string): Promise<string[]> {
  const git = simpleGit({ baseDir: repo });
  const name = (await git.raw(['config', '--get', 'user.name'])).trim();
  const email = (await git.raw(['config', '--get', 'user.email'])).trim();
  return name && email ? [] : FALLBACK_IDENTITY;
}
