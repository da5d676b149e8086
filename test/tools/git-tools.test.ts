import type { Client } from '@modelcontextprotocol/client';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import { createGitServer, type GitServerOptions } from '../../tools/git/git-server.js';
import { FIXTURE_IDENTITY, gitTest as test } from '../support/git-fixtures.js';
import { connectInMemory, resultText } from '../support/mcp-fixtures.js';

async function connect(options: GitServerOptions): Promise<Client> {
  const client = await connectInMemory(createGitServer(options));
  onTestFinished(() => client.close());
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const result = await client.callTool({ name, arguments: args });
  return { text: resultText(result), isError: result.isError === true };
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const { text, isError } = await call(client, name, args);
  expect(isError, `${name} ${JSON.stringify(args)}: ${text}`).toBe(false);
  return text;
}

describe('git tools', () => {
  test('lists eight tools with honest annotations and a stable schema, no push by default', async ({ repo }) => {
    const client = await connect({ root: repo });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['git_status', 'git_diff', 'git_log', 'git_show', 'git_add', 'git_commit', 'git_branch', 'git_restore']);
    expect(tools.map(({ name, description, inputSchema, annotations }) => ({ name, description, inputSchema, annotations }))).toMatchSnapshot();
    const budget = Object.fromEntries(
      tools.map((tool) => {
        const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
        return [tool.name, Buffer.byteLength(tool.description ?? '') + Buffer.byteLength(JSON.stringify(schema))];
      }),
    );
    console.log('git tool bytes (description + schema without $schema):', budget);
    for (const bytes of Object.values(budget)) expect(bytes).toBeLessThanOrEqual(450);
    for (const name of ['git_status', 'git_diff', 'git_log', 'git_show']) {
      expect(tools.find((tool) => tool.name === name)?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    expect(tools.find((tool) => tool.name === 'git_add')?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(tools.find((tool) => tool.name === 'git_commit')?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    expect(tools.find((tool) => tool.name === 'git_restore')?.annotations).toMatchObject({ destructiveHint: true });
  });

  test('status, diff, add, commit, log and show on a real repository', async ({ repo, git }) => {
    const client = await connect({ root: repo });
    expect(await ok(client, 'git_status')).toBe('## main\n(clean: nothing to commit)\n');

    await writeFile(join(repo, 'README.md'), 'hello\nworld\n');
    await writeFile(join(repo, 'new.txt'), 'new file\n');
    expect(await ok(client, 'git_status')).toBe('## main\n M README.md\n?? new.txt\n');
    const unstaged = await ok(client, 'git_diff');
    expect(unstaged).toContain('diff --git a/README.md b/README.md');
    expect(unstaged).toContain('+world');
    expect(await ok(client, 'git_diff', { staged: true })).toBe('no staged changes');

    expect(await ok(client, 'git_add', { paths: ['README.md', 'new.txt'] })).toBe('## main\nM  README.md\nA  new.txt\n');
    expect(await ok(client, 'git_diff')).toBe('no unstaged changes (staged ones show with staged: true)');
    const staged = await ok(client, 'git_diff', { staged: true, paths: ['new.txt'] });
    expect(staged).toContain('+new file');
    expect(staged).not.toContain('README.md');

    const committed = await ok(client, 'git_commit', { message: 'second' });
    expect(committed).toMatch(/^\[main [0-9a-f]{7,}\] second\n/);
    expect(git('log', '-1', '--format=%an <%ae>|%s')).toBe('endure <endure@localhost>|second\n');
    expect(git('config', '--local', '--list')).not.toMatch(/^user\./m);

    const log = await ok(client, 'git_log');
    expect(log.split('\n')[0]).toMatch(/^[0-9a-f]{7,} \d{4}-\d{2}-\d{2} endure \(HEAD -> main\): second$/);
    expect(log).toContain('Fixture Author: initial');
    expect((await ok(client, 'git_log', { count: 1 })).trim().split('\n')).toHaveLength(1);
    expect(await ok(client, 'git_log', { path: 'new.txt' })).not.toContain('initial');

    const againstRef = await ok(client, 'git_diff', { ref: 'HEAD~1' });
    expect(againstRef).toContain('+world');
    expect(againstRef).toContain('+new file');
    expect(await ok(client, 'git_diff', { ref: 'HEAD' })).toBe('no changes against HEAD');

    const shown = await ok(client, 'git_show');
    expect(shown).toContain('    second');
    expect(shown).toMatch(/ new\.txt +\| 1 \+/);
    expect(shown).toContain('+new file');
    expect(await ok(client, 'git_show', { ref: 'HEAD~1:README.md' })).toBe('hello\n');
  });

  test('uses the identity the repository has when it has one', async ({ repo, git }) => {
    git('config', 'user.name', 'Repo Owner');
    git('config', 'user.email', 'owner@example.test');
    const client = await connect({ root: repo });
    await writeFile(join(repo, 'a.txt'), 'a\n');
    await ok(client, 'git_add', { paths: ['.'] });
    await ok(client, 'git_commit', { message: 'by the owner' });
    expect(git('log', '-1', '--format=%an <%ae>')).toBe('Repo Owner <owner@example.test>\n');
  });

  test('branch list, create and switch', async ({ repo, git }) => {
    const client = await connect({ root: repo });
    expect(await ok(client, 'git_branch')).toMatch(/^\* main +[0-9a-f]+ initial\n$/);
    expect(await ok(client, 'git_branch', { action: 'create', name: 'feature' })).toBe('created branch feature and switched to it');
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature\n');
    await writeFile(join(repo, 'feature.txt'), 'f\n');
    await ok(client, 'git_add', { paths: ['feature.txt'] });
    await ok(client, 'git_commit', { message: 'feature work' });

    expect(await ok(client, 'git_branch', { action: 'switch', name: 'main' })).toMatch(/^switched to branch main\n## main\n/);
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main\n');
    expect(await ok(client, 'git_branch', { action: 'create', name: 'from-feature', from: 'feature' })).toBe(
      'created branch from-feature from feature and switched to it',
    );
    expect(git('log', '-1', '--format=%s')).toBe('feature work\n');
    const listed = await ok(client, 'git_branch', { action: 'list' });
    expect(listed).toContain('* from-feature');
    expect(listed).toContain('  feature');

    const missing = await call(client, 'git_branch', { action: 'switch', name: 'nope' });
    expect(missing).toMatchObject({ isError: true, text: expect.stringContaining('git switch failed: fatal: invalid reference: nope') });
    expect(await call(client, 'git_branch', { action: 'create' })).toEqual({ isError: true, text: 'git_branch create needs a name' });
    expect((await call(client, 'git_branch', { action: 'create', name: '--force' })).text).toContain('is not a valid git branch');
  });

  test('restore discards worktree changes, or only unstages', async ({ repo }) => {
    const client = await connect({ root: repo });
    await writeFile(join(repo, 'README.md'), 'changed\n');
    expect(await ok(client, 'git_restore', { paths: ['README.md'] })).toBe('## main\n(clean: nothing to commit)\n');
    expect(await readFile(join(repo, 'README.md'), 'utf8')).toBe('hello\n');

    await writeFile(join(repo, 'README.md'), 'changed again\n');
    await ok(client, 'git_add', { paths: ['README.md'] });
    expect(await ok(client, 'git_restore', { paths: ['README.md'], staged: true })).toBe('## main\n M README.md\n');
    expect(await readFile(join(repo, 'README.md'), 'utf8')).toBe('changed again\n');
  });

  test('git failures and bad input are tool errors the model can act on', async ({ repo, workspace }) => {
    const client = await connect({ root: repo });
    expect(await call(client, 'git_commit', { message: 'empty' })).toMatchObject({ isError: true, text: expect.stringContaining('nothing is staged') });
    expect((await call(client, 'git_show', { ref: 'no-such-ref' })).text).toMatch(/^git show failed: fatal: ambiguous argument 'no-such-ref'/);
    expect((await call(client, 'git_diff', { ref: '--output=/tmp/x' })).text).toContain('is not a valid git ref');
    expect((await call(client, 'git_add', { paths: ['../outside.txt'] })).text).toContain('outside the workspace');
    expect((await call(client, 'git_restore', { paths: ['/etc/passwd'] })).text).toContain('outside the workspace');
    for (const [name, args] of [
      ['git_add', { paths: 'README.md' }],
      ['git_add', { paths: [] }],
      ['git_commit', { message: 42 }],
      ['git_log', { count: 'ten' }],
      ['git_branch', { action: 'delete', name: 'x' }],
    ] as const) {
      const outcome = await call(client, name, args);
      expect(outcome.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(outcome.text).toMatch(/invalid|too small|expected/i);
    }
    expect(workspace).toBe(repo);
  });

  test('a workspace that is not a repository gives a clear error', async ({ workspace }) => {
    const client = await connect({ root: workspace });
    for (const name of ['git_status', 'git_log', 'git_diff']) {
      const outcome = await call(client, name);
      expect(outcome.isError).toBe(true);
      expect(outcome.text).toBe(`the workspace ${workspace} is not a git repository; create one with run_shell "git init", or work without git`);
    }
  });

  test('a repository without commits says so', async ({ workspace, git }) => {
    git('init', '--quiet', '--initial-branch=main');
    const client = await connect({ root: workspace });
    expect(await ok(client, 'git_status')).toBe('## No commits yet on main\n(clean: nothing to commit)\n');
    expect(await call(client, 'git_log')).toEqual({ isError: true, text: 'the repository has no commits yet; commit something first' });
  });

  test('long diffs are cut with a stat summary and the size left out', async ({ repo }) => {
    const client = await connect({ root: repo, maxOutputBytes: 2000 });
    await writeFile(join(repo, 'README.md'), Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n'));
    const diff = await ok(client, 'git_diff');
    expect(diff).toMatch(/^ README.md \| 501 \++-?\n 1 file changed, 500 insertions\(\+\), 1 deletion\(-\)\n/);
    expect(diff).toMatch(/\[\.\.\. [\d,]+ of [\d,]+ bytes omitted; pass paths to see the rest \.\.\.\]\n$/);
    expect(Buffer.byteLength(diff)).toBeLessThan(2400);
  });

  test('a git command that goes silent (a stuck hook) is stopped with a clear error', async ({ repo }) => {
    const hook = join(repo, '.git', 'hooks', 'pre-commit');
    await writeFile(hook, '#!/bin/sh\necho $$ > "$GIT_DIR/../hook.pid"\nexec sleep 300\n');
    await chmod(hook, 0o755);
    onTestFinished(async () => {
      const pid = Number(await readFile(join(repo, 'hook.pid'), 'utf8').catch(() => '0'));
      if (pid > 0) process.kill(pid, 'SIGKILL');
    });
    const client = await connect({ root: repo, silenceTimeoutMs: 300 });
    await writeFile(join(repo, 'a.txt'), 'a\n');
    await ok(client, 'git_add', { paths: ['a.txt'] });
    expect(await call(client, 'git_commit', { message: 'stuck' })).toEqual({
      isError: true,
      text: 'git commit printed nothing for 0.3 s and was stopped; it may be waiting for credentials or a hook',
    });
  });

  test('git_push exists only when allowed, and pushes to a remote', async ({ repo, git }) => {
    const bare = await mkdtemp(join(tmpdir(), 'endure-git-remote-'));
    onTestFinished(() => rm(bare, { recursive: true, force: true }));
    git('init', '--quiet', '--bare', bare);
    git('remote', 'add', 'origin', bare);
    const client = await connect({ root: repo, allowPush: true });
    const push = (await client.listTools()).tools.find((tool) => tool.name === 'git_push');
    expect(push?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
    expect(await ok(client, 'git_push')).toContain('refs/heads/main');
    expect(git('ls-remote', bare, 'refs/heads/main')).toContain(git('rev-parse', 'HEAD').trim());
    expect(FIXTURE_IDENTITY).toHaveLength(4);
  });
});
