/**
 * What a run changed in the workspace, measured against the commit it started
 * from: every file git would see (tracked and untracked, not ignored), staged
 * into a temporary index so the user's own index is never touched. Also the
 * patch of those changes (binary-safe, `git apply` takes it) and, for the
 * action's `output: commit`, one commit of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FileChange {
  path: string;
  /** Lines added and deleted; undefined for a binary file. */
  added?: number;
  deleted?: number;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The top of the git work tree holding `dir` (patches and commits are made there), or undefined outside one. */
export function gitTop(dir: string): string | undefined {
  try {
    return git(dir, ['rev-parse', '--show-toplevel']).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** HEAD of the git repository at `dir`, or undefined outside one (or before its first commit). */
export function gitHead(dir: string): string | undefined {
  try {
    return git(dir, ['rev-parse', '--verify', '-q', 'HEAD']).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `use` with the workspace's whole state staged in a throwaway index. */
function withWorktreeIndex<T>(dir: string, use: (env: NodeJS.ProcessEnv) => T): T {
  const scratch = mkdtempSync(join(tmpdir(), 'endure-index-'));
  const env = { ...process.env, GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    git(dir, ['read-tree', 'HEAD'], env);
    git(dir, ['add', '-A'], env);
    return use(env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The files changed since `base` (committed or not), and their patch. */
export function workspaceChanges(dir: string, base: string): { files: FileChange[]; patch: string } {
  return withWorktreeIndex(dir, (env) => {
    const files = git(dir, ['diff', '--cached', '--numstat', '-z', '--no-renames', base], env)
      .split('\0')
      .filter(Boolean)
      .map((line): FileChange => {
        const [added, deleted, ...path] = line.split('\t');
        return { path: path.join('\t'), ...(added === '-' ? {} : { added: Number(added), deleted: Number(deleted) }) };
      });
    const patch = files.length ? git(dir, ['diff', '--cached', '--binary', '--no-renames', base], env) : '';
    return { files, patch };
  });
}

export function writePatch(path: string, patch: string): void {
  writeFileSync(path, patch);
}

/**
 * Commits every change in the workspace (as github-actions[bot] when the repository has
 * no identity configured) and returns HEAD, or undefined when HEAD is still `base`.
 */
export function commitAll(dir: string, base: string, message: string): string | undefined {
  git(dir, ['add', '-A']);
  const staged = git(dir, ['diff', '--cached', '--name-only']).trim();
  if (staged) {
    const identity: string[] = [];
    const configured = (key: string) => {
      try {
        return git(dir, ['config', key]).trim() !== '';
      } catch {
        return false;
      }
    };
    if (!configured('user.name')) identity.push('-c', 'user.name=github-actions[bot]');
    if (!configured('user.email')) identity.push('-c', 'user.email=41898282+github-actions[bot]@users.noreply.github.com');
    git(dir, [...identity, 'commit', '--quiet', '--no-verify', '-m', message]);
  }
  const head = gitHead(dir);
  return head && head !== base ? head : undefined;
}

/** Applies a patch saved by an earlier run, unless the workspace already has it; false when it had it. */
export function applyPatch(dir: string, patchFile: string): boolean {
  try {
    git(dir, ['apply', '--reverse', '--check', '--binary', patchFile]);
    return false;
  } catch {
    git(dir, ['apply', '--binary', patchFile]);
    return true;
  }
}
