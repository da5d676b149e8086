/**
 * `/diff`: what the session changed in its workspace, as one unified diff: the
 * tracked files against the commit the session started from, then each new
 * untracked file (not ignored) as added lines. git runs on the host, reading only;
 * the repository's own config may not run anything on the way (no external diff,
 * no textconv filter, no fsmonitor hook).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** @default 1 MB of diff text; a larger diff is cut with a note. */
export const MAX_DIFF_BYTES = 1024 * 1024;

const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external=', '--no-pager'];

async function git(workspace: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', [...SAFE, ...args], { cwd: workspace, maxBuffer: 64 * MAX_DIFF_BYTES, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    // `git diff --no-index` exits 1 when the files differ: its output is the answer.
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code === 1 && typeof failed.stdout === 'string') return failed.stdout;
    throw new Error((failed.stderr ?? String(error)).trim().split('\n')[0] ?? 'git failed');
  }
}

/** The commit checked out in `workspace`, or undefined outside a repository (or before the first commit). */
export async function headCommit(workspace: string): Promise<string | undefined> {
  try {
    return (await git(workspace, ['rev-parse', '--verify', '-q', 'HEAD'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The diff of `workspace` against `base` (default HEAD) plus its new untracked files; '' when nothing changed. */
export async function workspaceDiff(workspace: string, base?: string): Promise<string> {
  const inside = await git(workspace, ['rev-parse', '--is-inside-work-tree']).catch(() => 'false');
  if (inside.trim() !== 'true') throw new Error(`${workspace} is not a git repository, so /diff has nothing to compare with`);
  const from = base ?? (await headCommit(workspace));
  const parts: string[] = [];
  if (from !== undefined) parts.push(await git(workspace, ['diff', '--no-ext-diff', '--no-textconv', '--no-color', from, '--']));
  const untracked = (await git(workspace, ['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter((file) => file !== '');
  for (const file of untracked) {
    parts.push(await git(workspace, ['diff', '--no-index', '--no-ext-diff', '--no-textconv', '--no-color', '--', '/dev/null', file]));
  }
  const diff = parts.join('');
  if (Buffer.byteLength(diff) <= MAX_DIFF_BYTES) return diff;
  const cut = Buffer.from(diff).subarray(0, MAX_DIFF_BYTES).toString('utf8');
  return `${cut.slice(0, cut.lastIndexOf('\n') + 1)}… the diff is longer than ${MAX_DIFF_BYTES / 1024 / 1024} MB; run git diff in the workspace for the rest\n`;
}
