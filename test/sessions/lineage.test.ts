/**
 * A fork's history read through its parent: the fold of a fork is the fold of
 * the parent's prefix (same messages) under the fork's id, forks of forks and a
 * fork at a turn its parent inherited read the right prefix, the summary counts
 * the inherited turns, inherited blobs are read from the parent's store and new
 * ones written to the fork's, and a damaged reference is named, not guessed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { foldRecords } from '../../src/agent/fold.js';
import { forkSession } from '../../src/cli/fork.js';
import type { RecordBody } from '../../sessions/records.js';
import { startBody, test } from './fixtures.js';
import type { SessionStore } from '../../sessions/store.js';

/** A turn with one call and its result (large results go to a blob). */
function turn(n: number): RecordBody[] {
  return [
    { kind: 'user', content: `step ${n}` },
    { kind: 'assistant', turn: n, content: '', toolCalls: [{ id: `c${n}`, type: 'function', function: { name: 'run_shell', arguments: `{"n":${n}}` } }], finish: 'tool_calls' },
    { kind: 'tool_start', callId: `c${n}`, name: 'run_shell', replayable: false },
    { kind: 'tool_end', callId: `c${n}`, name: 'run_shell', isError: false, content: `out ${n}`, durationMs: 1 },
  ];
}

function sessionWith(store: SessionStore, turns: number[], blob?: string): { id: string; blobId?: string } {
  const session = store.create({ ...startBody, workspace: '/nonexistent/workspace', cwd: '/nonexistent/workspace' });
  let blobId: string | undefined;
  for (const n of turns) for (const body of turn(n)) session.append(body);
  if (blob) blobId = session.putBlob(blob).id;
  session.close();
  return { id: session.id, ...(blobId ? { blobId } : {}) };
}

describe('a fork read through its parent', () => {
  test('folds as the parent prefix under its own id; forks of forks; a fork at an inherited turn', async ({ home, store }) => {
    const parent = sessionWith(store, [1, 2, 3]);
    const fork = await forkSession(parent.id, { home, at: 2 });
    expect(fork).toMatchObject({ parent: parent.id, atTurn: 2 });

    const parentRecords = store.read(parent.id).records;
    const prefix = foldRecords(parentRecords.filter((record) => record.seq <= parentRecords.findLast((r) => r.kind === 'tool_end' && r.callId === 'c2')!.seq));
    const forked = foldRecords(store.read(fork.sessionId).records);
    expect(forked.messages).toEqual(prefix.messages);
    expect(forked.sessionId).toBe(fork.sessionId);
    expect(forked.turns).toBe(2);
    expect(store.read(fork.sessionId).records[0]).toMatchObject({ kind: 'session_start', sessionId: fork.sessionId, forkOf: { parent: parent.id, atTurn: 2 } });
    expect(store.info(fork.sessionId)).toMatchObject({ parent: parent.id, forkTurn: 2, turns: 2, toolCalls: 2 });

    // The fork goes on (turn 3 of its own), then is forked at that turn and at turn 1 of the grandparent.
    const session = store.open(fork.sessionId);
    const history = [...session.history()];
    expect(history.at(-1)).toMatchObject({ kind: 'fork', seq: history.length });
    expect(session.start).toMatchObject({ kind: 'session_start', sessionId: fork.sessionId });
    for (const body of turn(3)) session.append({ ...body, ...(body.kind === 'tool_end' ? { content: 'fork out 3' } : {}) });
    session.close();
    const child = await forkSession(fork.sessionId, { home });
    expect(child.atTurn).toBe(3);
    const childState = foldRecords(store.read(child.sessionId).records);
    expect(childState.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'c3', content: 'fork out 3' });
    expect(store.read(child.sessionId).ancestors).toEqual([fork.sessionId, parent.id]);
    const early = await forkSession(child.sessionId, { home, at: 1 });
    const earlyState = foldRecords(store.read(early.sessionId).records);
    expect(earlyState.messages.map((message) => message.content)).toEqual(['You are a careful coding agent.', 'step 1', '', 'out 1']);
    expect(earlyState.sessionId).toBe(early.sessionId);
    // A summary rebuilt from nothing counts the inherited turns as the writer's did.
    rmSync(join(home, 'sessions', early.sessionId, 'summary.json'));
    expect(store.info(early.sessionId)).toMatchObject({ parent: child.sessionId, forkTurn: 1, turns: 1, toolCalls: 1 });

    // A parent that is gone is named.
    rmSync(join(home, 'sessions', fork.sessionId), { recursive: true });
    expect(() => store.read(child.sessionId)).toThrow(`is a fork of ${fork.sessionId}, whose journal`);
  });

  test("reads the parent's blobs in place and writes its own to its own store", async ({ home, store }) => {
    const parent = sessionWith(store, [1], 'a large output\n'.repeat(1000));
    const fork = await forkSession(parent.id, { home });
    const session = store.open(fork.sessionId);
    expect(session.readBlob(parent.blobId!, 0, 15)).toMatchObject({ text: 'a large output\n' });
    const own = session.putBlob('the fork’s own output');
    session.close();
    expect(readdirSync(join(home, 'sessions', fork.sessionId, 'blobs'))).toEqual([own.id]);
    expect(readdirSync(join(home, 'sessions', parent.id, 'blobs'))).toEqual([parent.blobId]);
  });

  test('a missing session, no turn yet, and a turn out of range are usage errors (exit 2) with the range', async ({ home, store }) => {
    await expect(forkSession('nosuch', { home })).rejects.toMatchObject({ name: 'ConfigError', code: 'session_not_found' });
    const empty = sessionWith(store, []);
    await expect(forkSession(empty.id, { home })).rejects.toThrow(`session ${empty.id} has no turn yet, so there is nothing to fork`);
    const parent = sessionWith(store, [1, 2]);
    await expect(forkSession(parent.id, { home, at: 3 })).rejects.toThrow(`--at 3: session ${parent.id} has turns 1-2; give one of them`);
    // --worktree needs the session's directory, and a git repository there; nothing is left behind either way.
    await expect(forkSession(parent.id, { home, worktree: true })).rejects.toMatchObject({ name: 'ConfigError', message: `--worktree: the directory /nonexistent/workspace that session ${parent.id} started in no longer exists` });
    const plain = store.create({ ...startBody, cwd: home, workspace: home });
    for (const body of turn(1)) plain.append(body);
    plain.close();
    await expect(forkSession(plain.id, { home, worktree: true })).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/^--worktree: .* is not inside a git repository; run without --worktree or git init first/) });
    expect(readdirSync(join(home, 'sessions')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  test('--worktree of a session that worked in a subdirectory of its repository is refused (exit 2), nothing left behind', async ({ home, store }) => {
    const repo = join(home, 'repo');
    mkdirSync(join(repo, 'sub'), { recursive: true });
    writeFileSync(join(repo, 'top.txt'), 'top\n');
    writeFileSync(join(repo, 'sub', 'inner.txt'), 'inner\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.test', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '--quiet');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'initial');
    const sub = join(repo, 'sub');
    const parent = store.create({ ...startBody, cwd: sub, workspace: sub });
    for (const body of turn(1)) parent.append(body);
    parent.close();
    await expect(forkSession(parent.id, { home, worktree: true })).rejects.toMatchObject({
      name: 'ConfigError',
      message: `--worktree: session ${parent.id} worked in ${sub}, a subdirectory of the repository ${repo}, and its checkpoints hold that directory only; fork without --worktree, or run the session from ${repo}`,
    });
    expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(git('branch', '--list', 'endure/*')).toBe('');
    expect(readdirSync(join(home, 'sessions')).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
