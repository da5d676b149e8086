/**
 * Checkpoints and rewind through the CLI: a session whose turns write, edit and
 * delete files with the fs tools and create and remove files with run_shell
 * (an untracked file, a file in a new directory); rewinding to several turns
 * gives the workspace as it was at the end of each (compared with a copy taken
 * then); resume after a rewind sends the conversation of that turn; files changed
 * outside the session are refused (exit 2) or saved with --force; bad --to and a
 * live session are refused; a kill -9 during a rewind is completed by the next
 * command. The user's git index, HEAD and refs are never touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { ReceivedRequest, Step } from '../support/scripted-server.js';
import { call, e2eTest as test, hangOnce, journalOf, makeRepo, planModel, sessionIds, turnOf, workspaceFiles, type PlanStep } from '../support/e2e-fixtures.js';


function git(cwd: string, ...args: string[]): string {
  return spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout;
}

const START = { 'README.md': '# Project\n\nfirst\n', 'src/app.js': 'export const v = 1;\n', 'old.txt': 'to be deleted\n', '.gitignore': 'build/\n' };

/** The work: each step is a turn; the copies are taken when the next request arrives (the end of the turn before). */
function work(repo: string, copies: Map<number, Record<string, string>>): PlanStep[] {
  const at = (step: Step | { toolCalls: ReturnType<typeof call>[] }) => (request: ReceivedRequest) => {
    copies.set(turnOf(request), workspaceFiles(repo));
    return step as Step;
  };
  return [
    at({ toolCalls: [call('write_file', { path: 'notes.md', content: 'new notes\n' })] }),
    at({ toolCalls: [call('edit_file', { path: 'src/app.js', old_string: 'v = 1', new_string: 'v = 2' })] }),
    at({ toolCalls: [call('run_shell', { command: 'mkdir -p deep/er && echo made > deep/er/file.txt && echo u > untracked.txt && rm old.txt && mkdir -p build && echo ignored > build/out' })] }),
    at({ toolCalls: [call('run_shell', { command: 'rm untracked.txt README.md' }), call('write_file', { path: 'src/app.js', content: 'export const v = 3;\n' })] }),
    at({ toolCalls: [call('read_file', { path: 'src/app.js' })] }),
    at({ content: 'Done.' }),
  ];
}

describe('rewind', { timeout: 180_000 }, () => {
  test('rewind to several turns restores the files of each; resume continues from there; outside changes are refused or saved', async ({
    server,
    endure,
    scratch,
    home,
  }) => {
    const repo = makeRepo(scratch, 'work', START);
    const head = git(repo, 'rev-parse', 'HEAD');
    const copies = new Map<number, Record<string, string>>();
    server.respondWith(planModel(work(repo, copies)));
    const run = await endure.exec(['do the work'], { cwd: repo }).done;
    expect(run.code).toBe(0);
    copies.set(6, workspaceFiles(repo));
    const id = sessionIds(home)[0]!;
    const checkpoints = journalOf(home, id).records.filter((record) => record.kind === 'checkpoint');
    expect(checkpoints.map((record) => record.kind === 'checkpoint' && record.turn)).toEqual([1, 2, 3, 4]);

    for (const turn of [2, 5, 1, 3, 4]) {
      const rewound = await endure.run(['sessions', 'rewind', id, '--to', String(turn), '--json']).done;
      expect(rewound.stderr).toBe('');
      expect(rewound.code).toBe(0);
      expect(workspaceFiles(repo)).toEqual({ ...copies.get(turn)!, 'build/out': 'ignored\n' });
      expect(JSON.parse(rewound.stdout)).toMatchObject({ session_id: id, to_turn: turn, restored: expect.any(Array), removed: expect.any(Array) });
    }
    // The ignored file was left alone, and the user's repository never moved.
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'stash', 'list')).toBe('');
    expect(git(repo, 'status', '--porcelain', '--', 'README.md')).toBe(' D README.md\n');

    const text = await endure.run(['sessions', 'rewind', id, '--to', '2']).done;
    expect(text.stdout).toMatch(/^rewound session \S+ to the end of turn 2: 3 files restored, 1 removed\n/);
    expect(text.stdout).toContain('  removed deep/er/file.txt\n');
    expect((await endure.run(['sessions', 'rewind', id, '--to', '3']).done).code).toBe(0);
    const one = await endure.run(['sessions', 'rewind', id, '--to', '4']).done;
    expect(one.stdout).toMatch(/^rewound session \S+ to the end of turn 4: 1 file restored, 2 removed\n/);

    const bad = await endure.run(['sessions', 'rewind', id, '--to', '99']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--to 99: no checkpoint at turn 99 .*; valid turns: 1-6$/)]);
    const zero = await endure.run(['sessions', 'rewind', id, '--to', 'x']).done;
    expect(zero.code).toBe(2);

    writeFileSync(join(repo, 'notes.md'), 'the user wrote this\n');
    writeFileSync(join(repo, 'mine.txt'), 'mine\n');
    const refused = await endure.run(['sessions', 'rewind', id, '--to', '1']).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/files changed outside the session since its last checkpoint: (mine\.txt, notes\.md|notes\.md, mine\.txt); rerun with --force/);
    expect(readFileSync(join(repo, 'notes.md'), 'utf8')).toBe('the user wrote this\n');
    const forced = await endure.run(['sessions', 'rewind', id, '--to', '1', '--force']).done;
    expect(forced.code).toBe(0);
    const backup = /saved the files changed outside the session under (\S+)/.exec(forced.stderr)![1]!;
    expect(readFileSync(join(backup, 'notes.md'), 'utf8')).toBe('the user wrote this\n');
    expect(readFileSync(join(backup, 'mine.txt'), 'utf8')).toBe('mine\n');
    expect(workspaceFiles(repo)).toEqual({ ...copies.get(1)!, 'build/out': 'ignored\n' });

    // Back to turn 2, then resume: the request is the conversation of turn 2 plus the new message.
    expect((await endure.run(['sessions', 'rewind', id, '--to', '2']).done).code).toBe(0);
    const from = server.requestCount;
    server.respondWith(() => ({ content: 'Went on from turn 2.' }));
    const resumed = await endure.exec(['--resume', id, 'now go on'], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    const messages = server.requests[from]!.body.messages as { role: string; content: string; tool_calls?: { id: string }[] }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'user']);
    expect(messages[4]!.tool_calls![0]!.id).toBe('call_1_0');
    expect(messages.at(-1)!.content).toBe('now go on');
    const show = await endure.run(['sessions', 'show', id]).done;
    expect(show.stdout).toContain('## Assistant, turn 7');
    expect(show.stdout).toContain('## Rewind to turn 2');
  });

  test('a live session is refused naming its pid; a kill -9 during a rewind is completed by the next command', async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    const copies = new Map<number, Record<string, string>>();
    const plan = work(repo, copies);
    let hung: ReceivedRequest | undefined;
    const hang = hangOnce((request) => (hung = request), { content: 'Done.' });
    const steps = planModel(plan);
    server.respondWith((request) => (turnOf(request) === 4 ? hang(request) : steps(request)));
    const live = endure.exec(['do the work'], { cwd: repo });
    while (!hung) await new Promise((resolve) => setTimeout(resolve, 20));
    const id = sessionIds(home)[0]!;
    const refused = await endure.run(['sessions', 'rewind', id, '--to', '1']).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`process ${live.pid}`);
    live.child.kill('SIGKILL');
    await live.done;

    // Killed before the files were restored, then after (the record not yet written): the next command completes it.
    const pending = join(home, 'sessions', id, 'rewind-pending.json');
    for (const [where, turn, then] of [['before', 1, 2], ['after', 3, 1]] as const) {
      const rewinding = endure.run(['sessions', 'rewind', id, '--to', String(turn)], { env: { ENDURE_TEST_PAUSE: `rewind-${where}-restore` } });
      await rewinding.stderrMatch(new RegExp(`paused at rewind-${where}-restore`));
      rewinding.child.kill('SIGKILL');
      await rewinding.done;
      expect(existsSync(pending)).toBe(true);
      const next = await endure.run(['sessions', 'rewind', id, '--to', String(then)]).done;
      expect(next.stderr).toBe(`endure: completed an interrupted rewind to turn ${turn} first\n`);
      expect(next.code).toBe(0);
      expect(existsSync(pending)).toBe(false);
      expect(workspaceFiles(repo)).toEqual({ ...copies.get(then)!, 'build/out': 'ignored\n' });
    }
    const rewinds = journalOf(home, id).records.filter((record) => record.kind === 'rewind');
    expect(rewinds.map((record) => record.kind === 'rewind' && record.toTurn)).toEqual([1, 2, 3, 1]);
  });
});

describe('a kill -9 during a checkpoint', { timeout: 180_000 }, () => {
  test('leaves the turn without one and a stale index lock; the resume takes it first, so a rewind to that turn brings its files back', async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    const copies = new Map<number, Record<string, string>>();
    server.respondWith(planModel(work(repo, copies)));
    const killed = endure.exec(['do the work'], { cwd: repo, env: { ENDURE_TEST_PAUSE: 'checkpoint-after-snapshot' } });
    await killed.stderrMatch(/paused at checkpoint-after-snapshot/);
    killed.child.kill('SIGKILL');
    await killed.done;
    const id = sessionIds(home)[0]!;
    expect(journalOf(home, id).records.filter((record) => record.kind === 'checkpoint')).toEqual([]);
    // What a git killed inside its `add` leaves behind.
    writeFileSync(join(home, 'sessions', id, 'checkpoints.git', 'endure-index.lock'), '');
    const afterKill = workspaceFiles(repo);

    const resumed = await endure.exec(['--resume', id], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    const records = journalOf(home, id).records;
    const first = records.findIndex((record) => record.kind === 'checkpoint');
    expect(records[first]).toMatchObject({ kind: 'checkpoint', turn: 1 });
    expect(records.slice(first + 1).find((record) => record.kind === 'assistant')).toMatchObject({ turn: 2 });
    expect((await endure.run(['sessions', 'rewind', id, '--to', '1']).done).code).toBe(0);
    expect(workspaceFiles(repo)).toEqual({ ...afterKill, 'build/out': 'ignored\n' });
    expect(afterKill['notes.md']).toBe('new notes\n');
  });
});

describe('checkpoints wherever a session runs', { timeout: 180_000 }, () => {
  const steps = [
    { toolCalls: [call('write_file', { path: 'a.txt', content: 'one\n' })] },
    { toolCalls: [call('run_shell', { command: 'echo two > a.txt && mkdir -p d && echo x > d/b.txt' })] },
  ];

  test('in a directory that is not a git repository, inside bwrap', async ({ server, endure, scratch, home }) => {
    const dir = join(scratch, 'plain');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'keep\n');
    server.respondWith(planModel(steps));
    expect((await endure.exec(['work'], { cwd: dir, sandbox: 'bwrap' }).done).code).toBe(0);
    expect(existsSync(join(dir, '.git'))).toBe(false);
    const rewound = await endure.run(['sessions', 'rewind', 'last', '--to', '1']).done;
    expect(rewound.code).toBe(0);
    expect(workspaceFiles(dir)).toEqual({ 'keep.txt': 'keep\n', 'a.txt': 'one\n' });
    expect(existsSync(join(dir, '.git'))).toBe(false);
    expect(sessionIds(home)).toHaveLength(1);
  });

  test('with --worktree: the worktree goes back, the checkout is never touched', async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'wt', { 'keep.txt': 'keep\n' });
    const checkout = workspaceFiles(repo);
    server.respondWith(planModel(steps));
    const run = await endure.exec(['--worktree', 'work'], { cwd: repo }).done;
    expect(run.code).toBe(0);
    const rewound = await endure.run(['sessions', 'rewind', 'last', '--to', '1', '--json']).done;
    expect(rewound.code).toBe(0);
    expect(JSON.parse(rewound.stdout)).toMatchObject({ to_turn: 1, restored: ['a.txt'], removed: ['d/b.txt'] });
    expect(workspaceFiles(repo)).toEqual(checkout);
    const start = journalOf(home, sessionIds(home)[0]!).records[0]!;
    const worktree = start.kind === 'session_start' ? start.workspace : '';
    expect(worktree).not.toBe(repo);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(worktree, 'd'))).toBe(false);
  });

  test('rewound or forked to a turn that gave the final answer, a resume without a message keeps that answer: no request', async ({ server, endure, scratch, home }) => {
    const repo = makeRepo(scratch, 'work', START);
    server.respondWith(planModel([{ toolCalls: [call('write_file', { path: 'a.txt', content: 'a\n' })] }], 'First answer.'));
    expect((await endure.exec(['write a'], { cwd: repo }).done).code).toBe(0);
    const id = sessionIds(home)[0]!;
    server.respondWith(planModel([{}, {}, { toolCalls: [call('write_file', { path: 'b.txt', content: 'b\n' })] }], 'Second answer.'));
    expect((await endure.exec(['--resume', id, 'write b'], { cwd: repo }).done).code).toBe(0);
    expect((await endure.run(['sessions', 'rewind', id, '--to', '2']).done).code).toBe(0);
    const fork = (await endure.run(['sessions', 'fork', id, '--at', '2']).done).stdout.trim();

    const asked = server.requestCount;
    for (const session of [id, fork]) {
      const resumed = await endure.exec(['--resume', session, '--output-format', 'json'], { cwd: repo }).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ session_id: session, status: 'done', result: 'First answer.', turns: session === id ? 4 : 2 });
    }
    expect(server.requestCount).toBe(asked);
    const rows = JSON.parse((await endure.run(['sessions', 'list', '--json']).done).stdout) as { id: string; status: string }[];
    expect(rows.filter((row) => row.id === id || row.id === fork).map((row) => row.status)).toEqual(['done', 'done']);
  });
});
