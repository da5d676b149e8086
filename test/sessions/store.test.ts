import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect } from 'vitest';
import { JournalError } from '../../src/shared/errors.js';
import { SessionStore } from '../../sessions/store.js';
import { startBody, test } from './fixtures.js';

function runTurns(store: SessionStore, id: string, turns: number, end?: 'done' | 'budget') {
  const session = store.create({ ...startBody, task: `task of ${id}` }, id);
  for (let turn = 1; turn <= turns; turn++) {
    session.append({
      kind: 'assistant',
      turn,
      content: '',
      toolCalls: [{ id: `c${turn}`, type: 'function', function: { name: 'read_file', arguments: '{}' } }],
      finish: 'tool_calls',
      usage: { promptTokens: 100, completionTokens: 10 },
    });
    session.append({ kind: 'tool_start', callId: `c${turn}`, name: 'read_file', replayable: true });
    session.append({ kind: 'tool_end', callId: `c${turn}`, name: 'read_file', isError: false, content: 'ok', durationMs: 1 });
    session.sync('turn');
  }
  if (end) session.append({ kind: 'end', status: end, result: 'finished' });
  return session;
}

describe('session store', () => {
  test('create writes session_start with the new id; open hands each record to the fold, keeping none', ({ store }) => {
    const created = store.create(startBody);
    expect(created.id).toMatch(/^\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/);
    expect(created.start).toMatchObject({ seq: 1, kind: 'session_start', sessionId: created.id, task: startBody.task });
    expect([...created.history()]).toEqual([created.start]);
    created.append({ kind: 'user', content: 'more' });
    created.close();
    const folded: string[] = [];
    const opened = store.open(created.id, (record) => folded.push(record.kind));
    expect(folded).toEqual(['session_start', 'user']);
    expect(opened.lastRecord).toMatchObject({ seq: 2, kind: 'user', content: 'more' });
    expect([...opened.history()].map((record) => record.kind)).toEqual(['session_start', 'user']);
    expect(opened.torn).toBeUndefined();
    expect(opened.append({ kind: 'user', content: 'again' }).seq).toBe(3);
    opened.close();
  });

  test('list shows status, task, turns, tool calls and times, newest activity first', ({ store }) => {
    let now = 1_000_000;
    const timed = new SessionStore({ home: store.home, clock: () => (now += 1000) });
    runTurns(timed, 'a-done', 3, 'done').close();
    runTurns(timed, 'b-budget', 2, 'budget').close();
    const crashed = runTurns(timed, 'c-crashed', 4);
    crashed.close();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(crashed.paths.lock, JSON.stringify({ pid: deadPid, host: hostname() }));
    const live = runTurns(timed, 'd-live', 1);
    try {
      const list = timed.list();
      expect(list.map((info) => [info.id, info.status, info.turns, info.toolCalls, info.task, info.live])).toEqual([
        ['d-live', 'running', 1, 1, 'task of d-live', true],
        ['c-crashed', 'interrupted', 4, 4, 'task of c-crashed', false],
        ['b-budget', 'budget', 2, 2, 'task of b-budget', false],
        ['a-done', 'done', 3, 3, 'task of a-done', false],
      ]);
      const done = list.find((info) => info.id === 'a-done')!;
      expect(done.startedAt).toBeLessThan(done.lastActivity);
      expect(done.usage).toMatchObject({ promptTokens: 300, completionTokens: 30 });
      expect(list[0]!.holderPid).toBe(process.pid);
    } finally {
      live.close();
    }
  });

  test('a summary behind its journal is caught up from where it stopped; a missing one is rebuilt', ({ store }) => {
    const session = runTurns(store, 's', 2);
    const summaryBefore = readFileSync(session.paths.summary, 'utf8');
    session.append({ kind: 'assistant', turn: 3, content: 'all done', finish: 'stop' });
    session.append({ kind: 'end', status: 'done' });
    expect(readFileSync(session.paths.summary, 'utf8')).toBe(summaryBefore);
    expect(store.info('s')).toMatchObject({ status: 'done', turns: 3, toolCalls: 2 });
    session.close();
    rmSync(session.paths.summary);
    expect(store.info('s')).toMatchObject({ status: 'done', turns: 3, toolCalls: 2, task: 'task of s' });
  });

  test('a resumed session is running again until its next end', ({ store }) => {
    runTurns(store, 'r', 1, 'done').close();
    const resumed = store.open('r');
    resumed.append({ kind: 'user', content: 'and also the docs' });
    expect(store.info('r')).toMatchObject({ status: 'running', live: true });
    resumed.append({ kind: 'end', status: 'done' });
    resumed.close();
    expect(store.info('r')).toMatchObject({ status: 'done', live: false });
  });

  test('last is the most recently active session; an id prefix works when unique', ({ store }) => {
    runTurns(store, 'alpha-1', 1).close();
    runTurns(store, 'alpha-2', 1).close();
    runTurns(store, 'beta', 1).close();
    const old = new Date(Date.now() - 60_000);
    for (const id of ['alpha-2', 'beta']) utimesSync(store.read(id).paths.journal, old, old);
    expect(store.resolve('last')).toBe('alpha-1');
    const session = store.open('last');
    expect(session.id).toBe('alpha-1');
    session.close();
    expect(store.resolve('be')).toBe('beta');
    expect(() => store.resolve('alpha')).toThrow(/"alpha" matches 2 sessions; give more of the id/);
    expect(() => store.resolve('gamma')).toThrow(/no session "gamma" in .*; see 'endure sessions list'/);
    expect(() => store.resolve('../beta')).toThrow(/is not a session id/);
  });

  test('with no sessions, last is a clear error and list is empty', ({ store }) => {
    expect(store.list()).toEqual([]);
    expect(() => store.open('last')).toThrow(/there are no sessions in .* yet; start one with 'endure exec <task>'/);
  });

  test('a torn tail is cut off on open and reported; read leaves the file alone', ({ store }) => {
    runTurns(store, 't', 2).close();
    const { paths } = store.read('t');
    const size = statSync(paths.journal).size;
    appendFileSync(paths.journal, '{"seq":8,"t":5,"kind":"us');
    expect(store.read('t').torn).toMatchObject({ line: 8, offset: size, bytes: 25, reason: 'partial' });
    expect(statSync(paths.journal).size).toBe(size + 25);
    expect(store.info('t')).toMatchObject({ turns: 2, toolCalls: 2 });
    const session = store.open('t');
    expect(session.torn).toEqual({ line: 8, offset: size, bytes: 25, reason: 'partial' });
    expect(statSync(paths.journal).size).toBe(size);
    session.close();
  });

  test('list reports a damaged journal in its row and goes on', ({ store }) => {
    runTurns(store, 'ok', 1).close();
    const damaged = runTurns(store, 'damaged', 3);
    damaged.close();
    rmSync(damaged.paths.summary);
    const bytes = readFileSync(damaged.paths.journal);
    bytes[200] = bytes[200]! ^ 1;
    writeFileSync(damaged.paths.journal, bytes);
    const rows = store.list();
    expect(rows.map((row) => row.id).sort()).toEqual(['damaged', 'ok']);
    expect(rows.find((row) => row.id === 'damaged')!.problem).toMatch(/line 1 does not match its checksum/);
    expect(() => store.open('damaged')).toThrow(JournalError);
  });

  test('rm removes the directory after the hook, refuses a held session, keeps it when the hook fails', async ({ store }) => {
    runTurns(store, 'gone', 1, 'done').close();
    const seen: string[] = [];
    const info = await store.remove('gone', (row) => {
      seen.push(`${row.id}:${row.status}`);
    });
    expect(seen).toEqual(['gone:done']);
    expect(existsSync(info.dir)).toBe(false);

    runTurns(store, 'kept', 1).close();
    await expect(
      store.remove('kept', async () => {
        throw new Error('worktree is dirty');
      }),
    ).rejects.toThrow('worktree is dirty');
    expect(store.info('kept').live).toBe(false);
    expect(existsSync(store.read('kept').paths.journal)).toBe(true);

    const held = store.open('kept');
    await expect(store.remove('kept')).rejects.toThrow(`session kept is in use by process ${process.pid}`);
    held.close();
  });
});
