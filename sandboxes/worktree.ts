/**
 * A session's own branch in a git worktree: `endure/<session-id>`, checked out in a
 * directory of its own, so the user's checkout is never touched while the agent
 * works. Combines with any backend: for bwrap, worktreeSandboxPaths() names what
 * must be writable (the shared .git) and what must stay read-only inside it.
 * Finishing (branch, patch, merge) lives in worktree-finish.ts.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { SandboxError } from '../src/shared/errors.js';
import { finishWorktree, type FinishMode, type FinishResult } from './worktree-finish.js';

export interface WorktreeOptions {
  /** Any path inside the user's repository. */
  repo: string;
  sessionId: string;
  /** The worktree's directory. @default `<sessionDir>/worktree` */
  path?: string;
  /** The session directory, used when `path` is not given. */
  sessionDir?: string;
  /** Where the branch starts; when reopening, the base recorded at creation. @default 'HEAD' */
  base?: string;
}

export interface Worktree {
  /** The directory the session works in (use it as the sandbox workspace). */
  readonly path: string;
  /** `endure/<session-id>` */
  readonly branch: string;
  /** The commit the branch started from. */
  readonly base: string;
  /** The branch checked out in the user's repository at creation (the merge target); undefined when detached. */
  readonly baseRef: string | undefined;
  /** The user's checkout. */
  readonly repoRoot: string;
  /** The repository's shared .git directory. */
  readonly gitCommonDir: string;
  /** Commits what is left uncommitted, then delivers the work: keep the branch, write a patch, or merge it back. */
  finish(mode: FinishMode, patchFile?: string): Promise<FinishResult>;
  /** Removes the worktree directory, and the branch unless `keepBranch`. */
  remove(options?: { keepBranch?: boolean }): Promise<void>;
}

export type { FinishMode, FinishResult } from './worktree-finish.js';

export function sessionBranch(sessionId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sessionId) || sessionId.includes('..') || sessionId.endsWith('.lock')) {
    throw new SandboxError('worktree_bad_session', `session id ${JSON.stringify(sessionId)} cannot name a git branch; use letters, digits, '.', '_' and '-'`);
  }
  return `endure/${sessionId}`;
}

/** Creates the session's worktree, or reopens it when the branch already exists (resume). */
export async function createWorktree(options: WorktreeOptions): Promise<Worktree> {
  const branch = sessionBranch(options.sessionId);
  const path = resolve(worktreePath(options));
  const git = simpleGit({ baseDir: options.repo });
  const repoRoot = await gitLine(git, ['rev-parse', '--show-toplevel'], `${options.repo} is not inside a git repository; run without --worktree or git init first`);
  const commonDir = (await git.raw(['rev-parse', '--git-common-dir'])).trim();
  const gitCommonDir = isAbsolute(commonDir) ? commonDir : resolve(options.repo, commonDir);
  const baseRef = (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim() || undefined;
  await git.raw(['worktree', 'prune']);
  const branchExists = (await git.raw(['branch', '--list', branch])).trim() !== '';
  const registered = (await listWorktrees(git)).some((entry) => entry.path === path);
  let base: string;
  if (branchExists) {
    base = await gitLine(git, ['merge-base', options.base ?? 'HEAD', branch], `cannot find the base of ${branch}`);
    if (!registered) await git.raw(['worktree', 'add', path, branch]);
  } else {
    base = await gitLine(git, ['rev-parse', '--verify', `${options.base ?? 'HEAD'}^{commit}`], `${options.base ?? 'HEAD'} is not a commit (a repository needs one commit before --worktree)`);
    await git.raw(['worktree', 'add', '-b', branch, path, base]);
  }
  mkdirSync(join(gitCommonDir, 'hooks'), { recursive: true });
  const worktree: Worktree = {
    path,
    branch,
    base,
    baseRef,
    repoRoot,
    gitCommonDir,
    finish: (mode, patchFile) => finishWorktree(worktree, mode, patchFile),
    remove: (removeOptions) => removeWorktree({ repo: repoRoot, sessionId: options.sessionId, path }, removeOptions),
  };
  return worktree;
}

/** Removes a session's worktree and branch; works from another process (`endure sessions rm`). */
export async function removeWorktree(
  target: { repo: string; sessionId: string; path: string },
  options: { keepBranch?: boolean } = {},
): Promise<void> {
  const git = simpleGit({ baseDir: target.repo });
  const path = resolve(target.path);
  if ((await listWorktrees(git)).some((entry) => entry.path === path)) await git.raw(['worktree', 'remove', '--force', path]);
  await git.raw(['worktree', 'prune']);
  const branch = sessionBranch(target.sessionId);
  if (!options.keepBranch && (await git.raw(['branch', '--list', branch])).trim() !== '') await git.raw(['branch', '-D', branch]);
}

/** Forgets the worktrees whose directories are gone (crashed or deleted sessions). */
export async function pruneWorktrees(repo: string): Promise<void> {
  await simpleGit({ baseDir: repo }).raw(['worktree', 'prune']);
}

/**
 * What a bwrap sandbox around a worktree needs: commits write to the shared .git,
 * but hooks and config run outside the sandbox later, so they stay read-only.
 */
export function worktreeSandboxPaths(worktree: Pick<Worktree, 'gitCommonDir'>): { writable: string[]; readOnly: string[] } {
  const git = worktree.gitCommonDir;
  return { writable: [git], readOnly: [join(git, 'hooks'), join(git, 'config'), join(git, 'info')] };
}

function worktreePath(options: WorktreeOptions): string {
  if (options.path) return options.path;
  if (options.sessionDir) return join(options.sessionDir, 'worktree');
  throw new SandboxError('worktree_no_path', 'createWorktree needs a path or a session directory');
}

async function listWorktrees(git: SimpleGit): Promise<{ path: string }[]> {
  const text = await git.raw(['worktree', 'list', '--porcelain']);
  return text.split('\n').filter((line) => line.startsWith('worktree ')).map((line) => ({ path: line.slice('worktree '.length) }));
}

async function gitLine(git: SimpleGit, args: string[], whenFailing: string): Promise<string> {
  try {
    return (await git.raw(args)).trim();
  } catch (error) {
    throw new SandboxError('worktree_git', `${whenFailing} (git said: ${String((error as Error).message).trim().split('\n')[0]})`, { cause: error });
  }
}
