/**
 * Fork through the CLI: a fork at a middle turn, given its own worktree, holds
 * that turn's files; resumed, it sends exactly the parent's first turns; the
 * fork and the parent, resumed with different scripts, diverge (workspaces and
 * requests) while the parent's journal bytes never change through the fork's
 * life; a fork of a fork; a fork in the parent's workspace says how its files
 * differ and overwrites nothing; bad input exits 2 with one line; a live parent
 * is forked without tearing its running turn; a kill -9 mid-fork leaves no half
 * session, and the next fork removes what it left.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import { foldRecords } from '../../src/agent/fold.js';
import type { ReceivedRequest } from '../support/scripted-server.js';
import { call, e2eTest as test, hangOnce, journalOf, journalPath, makeRepo, planModel, turnOf, waitFor, workspaceFiles, type PlanStep } from '../support/e2e-fixtures.js';

const START = { 'README.md': '# Project\n', 'src/app.js': 'export const v = 1;\n' };

type Message = { role: string; content: string; tool_calls?: { id: string; function: { name: string } }[] };

function messagesOf(request: ReceivedRequest): Message[] {
  return request.body.messages as Message[];
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function git(cwd: string, ...args: string[]): string {
  return spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout;
}

/** The parent's work: a turn a step; `copies` gets the workspace at the end of each turn (taken when the next request arrives). */
function work(repo: string, copies: Map<number, Record<string, string>>, asked: Map<number, ReceivedRequest>): PlanStep[] {
  const at = (step: PlanStep) => (request: ReceivedRequest) => {
    copies.set(turnOf(request), workspaceFiles(repo));
    asked.set(turnOf(request) + 1, request);
    return typeof step === 'function' ? step(request) : step;
  };
  return [
    at({ toolCalls: [call('write_file', { path: 'a.txt', content: 'one\n' })] }),
    at({ toolCalls: [call('edit_file', { path: 'a.txt', old_string: 'one', new_string: 'two' }), call('write_file', { path: 'b.txt', content: 'b\n' })] }),
    at({ toolCalls: [call('run_shell', { command: 'rm b.txt && mkdir -p n && echo three > n/c.txt' })] }),
    at({ content: 'Done with A.' }),
  ];
}

/** The first request after `from` that carries the user message `text`. */
function requestWith(requests: readonly ReceivedRequest[], from: number, text: string): ReceivedRequest {
  return requests.slice(from).find((request) => messagesOf(request).some((message) => message.role === 'user' && message.content === text))!;
}

describe('sessions fork', { timeout: 240_000 }, () => {
  test('a fork at a middle turn with its own worktree: the turn files, the parent prefix in its first request, diverging from the parent; a fork of a fork', async ({
    server,
    endure,
    scratch,
    home,
  }) => {
    const repo = makeRepo(scratch, 'work', START);
    const copies = new Map<number, Record<string, string>>();
    const asked = new Map<number, ReceivedRequest>();
    server.respondWith(planModel(work(repo, copies, asked)));
    expect((await endure.exec(['do the work'], { cwd: repo }).done).code).toBe(0);
    const parent = (JSON.parse((await endure.run(['sessions', 'list', '--json']).done).stdout) as { id: string }[])[0]!.id;
    const parentJournal = journalPath(home, parent);
    const parentHash = sha256(parentJournal);
    const parentFiles = workspaceFiles(repo);

    const forked = await endure.run(['sessions', 'fork', parent, '--at', '2', '--worktree', '--json']).done;
    expect(forked.stderr).toBe('');
    expect(forked.code).toBe(0);
    const fork = JSON.parse(forked.stdout) as { session_id: string; parent: string; at_turn: number };
    expect(fork).toEqual({ session_id: expect.any(String), parent, at_turn: 2 });
    const forkId = fork.session_id;
    expect(sha256(parentJournal)).toBe(parentHash);
    // Its journal is one record that names the parent's prefix; nothing of the parent is copied.
    const own = journalOf(home, forkId).records;
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ kind: 'fork', parent, atTurn: 2, seq: own[0]!.kind === 'fork' ? own[0]!.throughSeq + 1 : -1 });
    expect(readdirSync(join(home, 'sessions', forkId, 'blobs'))).toEqual([]);
    expect(readFileSync(join(home, 'sessions', forkId, 'checkpoints.git', 'objects', 'info', 'alternates'), 'utf8')).toBe(`../../../${parent}/checkpoints.git/objects\n`);
    const worktree = own[0]!.kind === 'fork' ? own[0]!.workspace : '';
    expect(worktree).toBe(join(home, 'worktrees', forkId));
    expect(workspaceFiles(worktree)).toEqual(copies.get(2));
    expect(workspaceFiles(repo)).toEqual(parentFiles);

    // Listed with its parent; shown with the parent's turns up to 2 and no further.
    const list = JSON.parse((await endure.run(['sessions', 'list', '--json']).done).stdout) as { id: string; parent?: string; at_turn?: number; turns: number }[];
    expect(list.find((row) => row.id === forkId)).toMatchObject({ parent, at_turn: 2, turns: 2 });
    expect(list.find((row) => row.id === parent)!.parent).toBeUndefined();
    expect((await endure.run(['sessions', 'list']).done).stdout).toContain(`(fork of ${parent} at turn 2) do the work`);
    const shown = (await endure.run(['sessions', 'show', forkId]).done).stdout;
    expect(shown).toContain(`# Session ${forkId}`);
    expect(shown).toContain(`- fork of session ${parent} at turn 2`);
    expect(shown).toContain('## Assistant, turn 2');
    expect(shown).not.toContain('## Assistant, turn 3');
    expect(shown).not.toContain('rm b.txt');

    // The fork goes on: its first request is the parent's request for turn 3 plus the new message.
    let from = server.requestCount;
    server.respondWith(planModel([...new Array<PlanStep>(2).fill({ content: 'unused' }), { toolCalls: [call('write_file', { path: 'fork.txt', content: 'B\n' })] }, { content: 'Done with B.' }]));
    const resumedFork = await endure.exec(['--resume', forkId, 'try B'], { cwd: repo }).done;
    expect(resumedFork.code).toBe(0);
    const first = requestWith(server.requests, from, 'try B');
    expect(messagesOf(first).slice(0, -1)).toEqual(messagesOf(asked.get(3)!));
    expect(messagesOf(first).at(-1)).toEqual({ role: 'user', content: 'try B' });
    expect(sha256(parentJournal)).toBe(parentHash);
    expect(workspaceFiles(worktree)).toEqual({ ...copies.get(2), 'fork.txt': 'B\n' });
    expect(workspaceFiles(repo)).toEqual(parentFiles);
    // Exported, a fork is one journal of its whole history: it reads and folds without the parent.
    const exported = join(scratch, 'fork.jsonl');
    expect((await endure.run(['sessions', 'export', forkId, '--format', 'jsonl', '-o', exported]).done).code).toBe(0);
    const whole = readJournal(exported).records;
    expect(whole[0]).toMatchObject({ kind: 'session_start', seq: 1, sessionId: forkId, forkOf: { parent, atTurn: 2 } });
    expect(foldRecords(whole).messages).toEqual([...messagesOf(first), ...foldRecords(whole).messages.slice(messagesOf(first).length)]);
    expect(whole.map((record) => record.seq)).toEqual(whole.map((_, index) => index + 1));
    const forkShown = (await endure.run(['sessions', 'show', forkId]).done).stdout;
    expect(forkShown).toContain('## Assistant, turn 3');
    expect(forkShown).toContain('fork.txt');

    // The parent goes on its own way: its request has its own turn 3, none of the fork's.
    from = server.requestCount;
    server.respondWith(planModel([...new Array<PlanStep>(4).fill({ content: 'unused' }), { toolCalls: [call('write_file', { path: 'parent.txt', content: 'A\n' })] }, { content: 'Done again.' }]));
    expect((await endure.exec(['--resume', parent, 'go on with A'], { cwd: repo }).done).code).toBe(0);
    const parentRequest = messagesOf(requestWith(server.requests, from, 'go on with A'));
    expect(JSON.stringify(parentRequest)).toContain('rm b.txt');
    expect(JSON.stringify(parentRequest)).not.toContain('fork.txt');
    expect(readFileSync(join(repo, 'parent.txt'), 'utf8')).toBe('A\n');
    expect(existsSync(join(repo, 'fork.txt'))).toBe(false);
    expect(existsSync(join(worktree, 'parent.txt'))).toBe(false);

    // A fork of the fork at its own turn 3 (its worktree holds fork.txt), and one at the grandparent's turn 1.
    const second = await endure.run(['sessions', 'fork', forkId, '--at', '3', '--worktree', '--json']).done;
    expect(second.code).toBe(0);
    const grandchild = (JSON.parse(second.stdout) as { session_id: string }).session_id;
    const grandchildTree = join(home, 'worktrees', grandchild);
    expect(workspaceFiles(grandchildTree)).toEqual({ ...copies.get(2), 'fork.txt': 'B\n' });
    const forkHash = sha256(journalPath(home, forkId));
    from = server.requestCount;
    server.respondWith(() => ({ content: 'Third way.' }));
    expect((await endure.exec(['--resume', grandchild, 'try C'], { cwd: repo }).done).code).toBe(0);
    const third = messagesOf(requestWith(server.requests, from, 'try C'));
    expect(third.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'tool', 'user', 'assistant', 'tool', 'user']);
    expect(third[7]).toEqual({ role: 'user', content: 'try B' });
    expect(sha256(journalPath(home, forkId))).toBe(forkHash);
    const early = JSON.parse((await endure.run(['sessions', 'fork', grandchild, '--at', '1', '--worktree', '--json']).done).stdout) as { session_id: string; at_turn: number };
    expect(early.at_turn).toBe(1);
    expect(workspaceFiles(join(home, 'worktrees', early.session_id))).toEqual(copies.get(1));

    // A rewind inside the fork reaches the parent's checkpoints (borrowed, not copied).
    const rewound = await endure.run(['sessions', 'rewind', forkId, '--to', '1', '--json']).done;
    expect(rewound.code).toBe(0);
    expect(workspaceFiles(worktree)).toEqual(copies.get(1));

    // A parent goes after its forks; a fork goes with its own worktree and branch.
    const refused = await endure.run(['sessions', 'rm', parent]).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`has forks that go on from its turns (${forkId})`);
    const removedEarly = await endure.run(['sessions', 'rm', early.session_id]).done;
    expect(removedEarly.stderr).toBe('');
    expect(removedEarly.code).toBe(0);
    expect(existsSync(join(home, 'worktrees', early.session_id))).toBe(false);
    expect(git(repo, 'branch', '--list', `endure/${early.session_id}`)).toBe('');
    expect(workspaceFiles(grandchildTree)).toEqual({ ...copies.get(2), 'fork.txt': 'B\n' });
  });

  test("a fork in the parent's workspace: told how its files differ, nothing overwritten; bad input exits 2 with one line", async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    const copies = new Map<number, Record<string, string>>();
    server.respondWith(planModel(work(repo, copies, new Map())));
    expect((await endure.exec(['do the work'], { cwd: repo }).done).code).toBe(0);
    const parent = readdirSync(join(home, 'sessions'))[0]!;
    writeFileSync(join(repo, 'mine.txt'), 'the user wrote this\n');
    const files = workspaceFiles(repo);

    const forked = await endure.run(['sessions', 'fork', parent, '--at', '2']).done;
    expect(forked.code).toBe(0);
    const forkId = forked.stdout.trim();
    expect(forked.stdout).toBe(`${forkId}\n`);
    const warning = forked.stderr.trim().split('\n');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(new RegExp(`^endure: the workspace ${repo} differs from turn 2's checkpoint in 3 files \\(b\\.txt, mine\\.txt, n/c\\.txt\\)`));
    expect(warning[0]).toContain(`endure sessions rewind ${forkId} --to 2 --force`);
    expect(workspaceFiles(repo)).toEqual(files);

    // The default turn is the last; the fork works where the parent does.
    const latest = JSON.parse((await endure.run(['sessions', 'fork', parent, '--json']).done).stdout) as { at_turn: number; session_id: string };
    expect(latest.at_turn).toBe(4);
    server.respondWith(planModel([...new Array<PlanStep>(2).fill({ content: 'unused' }), { toolCalls: [call('write_file', { path: 'from-fork.txt', content: 'f\n' })] }]));
    expect((await endure.exec(['--resume', forkId, 'go on'], { cwd: repo }).done).code).toBe(0);
    expect(readFileSync(join(repo, 'from-fork.txt'), 'utf8')).toBe('f\n');
    expect(readFileSync(join(repo, 'mine.txt'), 'utf8')).toBe('the user wrote this\n');

    for (const [args, pattern] of [
      [['nosuch'], /^endure: no session "nosuch" in .*; see 'endure sessions list'$/],
      [[parent, '--at', '0'], /^endure: --at 0: give a turn number/],
      [[parent, '--at', 'x'], /^endure: --at x: give a turn number/],
      [[parent, '--at', '9'], new RegExp(`^endure: --at 9: session ${parent} has turns 1-4; give one of them$`)],
    ] as const) {
      const bad = await endure.run(['sessions', 'fork', ...args]).done;
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
    }
    expect(readdirSync(join(home, 'sessions')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  test("a fork in its parent's worktree works there and leaves it to the parent when removed", async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    const checkout = workspaceFiles(repo);
    server.respondWith(planModel([{ toolCalls: [call('write_file', { path: 'a.txt', content: 'A\n' })] }, { content: 'Done.' }]));
    expect((await endure.exec(['--worktree', 'work'], { cwd: repo }).done).code).toBe(0);
    const parent = readdirSync(join(home, 'sessions'))[0]!;
    const parentTree = join(home, 'worktrees', parent);
    const forked = await endure.run(['sessions', 'fork', parent, '--json']).done;
    expect(forked.stderr).toBe('');
    const forkId = (JSON.parse(forked.stdout) as { session_id: string }).session_id;
    expect(journalOf(home, forkId).records[0]).toMatchObject({ kind: 'fork', workspace: parentTree });

    server.respondWith(planModel([{ content: 'unused' }, { content: 'unused' }, { toolCalls: [call('write_file', { path: 'b.txt', content: 'B\n' })] }, { content: 'Done too.' }]));
    expect((await endure.exec(['--resume', forkId, 'one more file'], { cwd: repo }).done).code).toBe(0);
    expect(readFileSync(join(parentTree, 'b.txt'), 'utf8')).toBe('B\n');
    expect(readdirSync(join(home, 'worktrees'))).toEqual([parent]);
    expect(git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/endure/')).toBe(`endure/${parent}\n`);
    expect(workspaceFiles(repo)).toEqual(checkout);

    expect((await endure.run(['sessions', 'rm', forkId]).done).code).toBe(0);
    expect(readFileSync(join(parentTree, 'b.txt'), 'utf8')).toBe('B\n');
    expect(git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/endure/')).toBe(`endure/${parent}\n`);
  });

  test('a live parent is forked without waiting or tearing its running turn; a kill -9 mid-fork leaves no half session', async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    const copies = new Map<number, Record<string, string>>();
    const plan = work(repo, copies, new Map());
    // Turn 3's command waits for the test's go file: the turn is running while the test forks.
    plan[2] = { toolCalls: [call('run_shell', { command: 'while [ ! -e go ]; do sleep 0.05; done; rm go b.txt && mkdir -p n && echo three > n/c.txt' })] };
    const steps = planModel(plan);
    let hung: ReceivedRequest | undefined;
    const hang = hangOnce((request) => (hung = request), { content: 'Done.' });
    server.respondWith((request) => (turnOf(request) === 3 ? hang(request) : steps(request)));
    const live = endure.exec(['do the work'], { cwd: repo });
    // The session's directory exists a moment before its journal: wait for the journal.
    const parent = await waitFor(() => {
      const id = existsSync(join(home, 'sessions')) && readdirSync(join(home, 'sessions'))[0];
      return id && existsSync(journalPath(home, id)) ? id : undefined;
    }, 'the session');
    await waitFor(() => journalOf(home, parent).records.some((record) => record.kind === 'tool_start' && record.name === 'run_shell'), "turn 3's command");
    const parentHash = sha256(journalPath(home, parent));

    // Turn 3's command runs: the last finished turn is 2, and turn 3 cannot be forked yet.
    const forked = await endure.run(['sessions', 'fork', parent, '--json']).done;
    expect(forked.code).toBe(0);
    expect(JSON.parse(forked.stdout)).toMatchObject({ parent, at_turn: 2 });
    expect(forked.stderr).toContain(`endure: session ${parent} is running in ${repo}, where the fork works too`);
    const running = await endure.run(['sessions', 'fork', parent, '--at', '3']).done;
    expect(running.code).toBe(2);
    expect(running.stderr).toBe(`endure: --at 3: turn 3 of session ${parent} is still running; fork at 1-2 once it has finished\n`);
    expect(sha256(journalPath(home, parent))).toBe(parentHash);

    // Once its checkpoint is written (the model is asked for turn 4), turn 3 is finished: the default fork takes it.
    writeFileSync(join(repo, 'go'), '');
    while (!hung) await new Promise((resolve) => setTimeout(resolve, 20));
    const third = await endure.run(['sessions', 'fork', parent, '--json']).done;
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ parent, at_turn: 3 });
    const parentAfter = sha256(journalPath(home, parent));
    live.child.kill('SIGKILL');
    await live.done;

    const sessions = () => readdirSync(join(home, 'sessions')).filter((name) => !name.startsWith('.')).sort();
    const before = sessions();
    const files = workspaceFiles(repo);
    for (const where of ['fork-worktree', 'fork-before-rename']) {
      const forking = endure.run(['sessions', 'fork', parent, '--at', '1', '--worktree'], { env: { ENDURE_TEST_PAUSE: where } });
      await forking.stderrMatch(new RegExp(`paused at ${where}`));
      forking.child.kill('SIGKILL');
      await forking.done;
      expect(sessions()).toEqual(before);
      const listed = await endure.run(['sessions', 'list', '--json']).done;
      expect(listed.stderr).toMatch(/^endure: an interrupted fork left \S+\.fork-\S+\.tmp; the next 'endure sessions fork' removes it\n$/);
      expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(before.length);
      const leftWorktree = readdirSync(join(home, 'worktrees'));
      expect(leftWorktree).toHaveLength(1);

      const next = await endure.run(['sessions', 'fork', parent, '--at', '1', '--json']).done;
      expect(next.code).toBe(0);
      expect(next.stderr).toMatch(/^endure: removed an unfinished fork that was interrupted \(\S+\)\n/);
      expect(readdirSync(join(home, 'worktrees'))).toEqual([]);
      expect(git(repo, 'branch', '--list', 'endure/*')).toBe('');
      expect(readdirSync(join(home, 'sessions')).filter((name) => name.startsWith('.'))).toEqual([]);
      before.push((JSON.parse(next.stdout) as { session_id: string }).session_id);
      before.sort();
      expect(workspaceFiles(repo)).toEqual(files);
      expect(sha256(journalPath(home, parent))).toBe(parentAfter);
    }
  });
});
