/**
 * `endure exec --worktree` end to end: the session's edits land on its own
 * branch, the user's checkout is untouched, `--patch` writes the work as a
 * patch, and `endure sessions rm` removes the worktree and the branch.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
let root: string;
let repo: string;
let server: ScriptedServer;

const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'endure-worktree-e2e-'));
  repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'a.txt'), 'hello world\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  server = await startScriptedServer();
  server.respondWith((request) => {
    const results = (request.body.messages as { role: string }[]).filter((m) => m.role === 'tool').length;
    return results === 0
      ? { toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', old_string: 'hello', new_string: 'goodbye' } }] }
      : { content: 'Changed a.txt.' };
  });
});

afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function endure(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ENDURE_HOME: join(root, 'home') } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the work lands on endure/<session> only, and sessions rm removes the worktree and the branch', async () => {
  const run = await endure(['exec', '--base-url', server.url, '--worktree', '--sandbox', 'host', '--cwd', repo, '--output-format', 'json', 'change hello to goodbye']);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  const id = (JSON.parse(run.stdout) as { session_id: string }).session_id;
  const branch = `endure/${id}`;
  expect(run.stderr).toContain(branch);

  expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('hello world\n');
  expect(git('status', '--porcelain')).toBe('');
  expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  expect(git('show', `${branch}:a.txt`)).toBe('goodbye world');
  const worktreePath = join(root, 'home', 'worktrees', id);
  expect(git('worktree', 'list')).toContain(worktreePath);

  const removed = await endure(['sessions', 'rm', id]);
  expect(removed.code).toBe(0);
  expect(existsSync(worktreePath)).toBe(false);
  expect(git('worktree', 'list')).not.toContain(worktreePath);
  expect(git('branch', '--list', branch)).toBe('');
  expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('hello world\n');
});

test('--patch writes the session\'s work as a patch that applies to the checkout', async () => {
  const patch = join(root, 'work.patch');
  const run = await endure(['exec', '--base-url', server.url, '--worktree', '--patch', patch, '--sandbox', 'host', '--cwd', repo, 'change hello to goodbye']);
  expect(run.code).toBe(0);
  expect(readFileSync(patch, 'utf8')).toMatch(/-hello world\n\+goodbye world/);
  expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('hello world\n');
  git('apply', patch);
  expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('goodbye world\n');
});

test('--patch without --worktree is a usage error', async () => {
  const run = await endure(['exec', '--patch', join(root, 'x.patch'), '--cwd', repo, 'x']);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--patch needs --worktree');
});

test('--patch into a directory that does not exist is a usage error before any session starts', async () => {
  const patch = join(root, 'no-such-dir', 'x.patch');
  const run = await endure(['exec', '--worktree', '--patch', patch, '--cwd', repo, '--output-format', 'json', 'x']);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([`endure: --patch ${patch}: the directory ${join(root, 'no-such-dir')} does not exist; give a file in an existing directory`]);
  expect(JSON.parse(run.stdout)).toMatchObject({ session_id: null, status: 'failed' });
});
