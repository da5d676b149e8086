/**
 * Resume from the journal with the real CLI: after a clean stop (a budget) the
 * first request of `exec --resume <id|last>` is byte-identical to the one the
 * uninterrupted run sent at the same point, and the workspace and the journal's
 * tool calls end the same. Also: a torn journal tail is cut off and reported,
 * and a second process on a live session is refused naming the holder's pid.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  call,
  e2eTest as test,
  hangOnce,
  journalCalls,
  journalOf,
  journalPath,
  makeRepo,
  planModel,
  sessionIds,
  type PlanStep,
  workspaceFiles,
} from '../support/e2e-fixtures.js';

const START_FILES = { 'notes.md': '# Notes\n\nfirst line\n', 'src/app.js': 'export const version = 1;\n' };

/** Seven turns of work that reads, writes, edits and runs commands, then an answer. */
const WORK: PlanStep[] = [
  { reasoning: 'Look at the notes.', toolCalls: [call('read_file', { path: 'notes.md' }), call('list_dir', { path: 'src' })] },
  { toolCalls: [call('run_shell', { command: 'echo "step 1" >> log.txt' })] },
  { toolCalls: [call('edit_file', { path: 'src/app.js', old_string: 'version = 1', new_string: 'version = 2' })] },
  { content: 'Now the notes.', toolCalls: [call('write_file', { path: 'notes.md', content: '# Notes\n\nrewritten\n' })] },
  { toolCalls: [call('run_shell', { command: 'echo "step 2" >> log.txt && cat log.txt' }), call('read_file', { path: 'src/app.js' })] },
  { toolCalls: [call('grep', { pattern: 'version', path: '.' })] },
  { toolCalls: [call('run_shell', { command: 'wc -l log.txt notes.md' })] },
];
const ANSWER = 'Bumped the version to 2, rewrote the notes and kept a log.';


describe('resume', { timeout: 120_000 }, () => {
  test('after a clean stop, the first request is byte-identical to the uninterrupted run, and the run ends the same', async ({
    scratch,
    server,
    endure,
    home,
  }) => {
    server.respondWith(planModel(WORK, ANSWER));
    const straightHome = join(scratch, 'straight-home');
    const straightRepo = makeRepo(scratch, 'straight', START_FILES);
    const straight = await endure.exec(['tidy the project'], { home: straightHome, cwd: straightRepo }).done;
    expect(straight.code).toBe(0);
    const straightRequests = server.requests.map((request) => request.raw);
    expect(straightRequests).toHaveLength(WORK.length + 1);

    const repo = makeRepo(scratch, 'stopped', START_FILES);
    const firstRequest = server.requestCount;
    const stopped = await endure.exec(['--max-turns', '3', 'tidy the project'], { cwd: repo }).done;
    expect(stopped.code).toBe(3);
    const id = sessionIds(home)[0]!;

    const byId = await endure.exec(['--resume', id, '--max-turns', '5'], { cwd: repo }).done;
    expect(byId.code).toBe(3);
    expect(byId.stderr).toContain(`session ${id} (resumed)`);
    const last = await endure.exec(['--resume', 'last']).done;
    expect(last.code).toBe(0);
    expect(last.stdout).toBe(`${ANSWER}\n`);

    const resumedRequests = server.requests.slice(firstRequest).map((request) => request.raw);
    expect(resumedRequests).toHaveLength(straightRequests.length);
    expect(resumedRequests[3]).toBe(straightRequests[3]);
    expect(resumedRequests[5]).toBe(straightRequests[5]);
    expect(resumedRequests).toEqual(straightRequests);

    expect(workspaceFiles(repo)).toEqual(workspaceFiles(straightRepo));
    expect(readFileSync(join(repo, 'log.txt'), 'utf8')).toBe('step 1\nstep 2\n');
    const resumed = journalOf(home, id);
    const uninterrupted = journalOf(straightHome, sessionIds(straightHome)[0]!);
    expect(resumed.torn).toBe(false);
    expect(journalCalls(resumed.records)).toEqual(journalCalls(uninterrupted.records));
    const ends = resumed.records.filter((record) => record.kind === 'end').map((record) => record.kind === 'end' && record.status);
    expect(ends).toEqual(['budget', 'budget', 'done']);
    const toolEnds = (records: typeof resumed.records) => records.filter((record) => record.kind === 'tool_end').map((r) => r.kind === 'tool_end' && [r.callId, r.content, r.isError]);
    expect(toolEnds(resumed.records)).toEqual(toolEnds(uninterrupted.records));
  });

  test('extra task text on resume becomes a new user message', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('read_file', { path: 'README.md' })] }], 'Read it.'));
    expect((await endure.exec(['read the readme']).done).code).toBe(0);
    server.respondWith(planModel([], 'Also counted its lines: 1.'));
    const more = await endure.exec(['--resume', 'last', 'and count its lines']).done;
    expect(more.code).toBe(0);
    expect(more.stdout).toBe('Also counted its lines: 1.\n');
    const messages = server.requests.at(-1)!.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'and count its lines' });
    expect(messages.filter((message) => message.role === 'assistant').map((m) => m.content)).toEqual(['', 'Read it.']);
    expect(journalOf(home, sessionIds(home)[0]!).records.filter((r) => r.kind === 'end')).toHaveLength(2);
  });

  test('a torn journal tail is cut off, reported on stderr, and the session goes on', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }], 'Listed.'));
    expect((await endure.exec(['list the files']).done).code).toBe(0);
    const id = sessionIds(home)[0]!;
    const path = journalPath(home, id);
    const intact = statSync(path).size;
    const torn = '{"seq":999,"t":1700000000000,"kind":"user","content":"half a reco';
    appendFileSync(path, torn);

    server.respondWith(planModel([], 'Went on after the cut.'));
    const resumed = await endure.exec(['--resume', id, 'go on']).done;

    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('Went on after the cut.\n');
    expect(resumed.stderr).toMatch(new RegExp(`torn \\(${torn.length} bytes.*cut off`));
    const journal = journalOf(home, id);
    expect(journal.torn).toBe(false);
    expect(readFileSync(path, 'utf8')).not.toContain('half a reco');
    expect(statSync(path).size).toBeGreaterThan(intact);
    expect(journal.records.map((record) => record.seq)).toEqual(journal.records.map((_, i) => i + 1));
    expect(journal.records.filter((record) => record.kind === 'user').map((r) => r.kind === 'user' && r.content)).toEqual(['list the files', 'go on']);
  });

  test('a second process on a live session is refused at once, naming the holder pid', async ({ server, endure, home }) => {
    let hung!: () => void;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }, hangOnce(() => hung(), { content: 'Done at last.' })]));
    const holder = endure.exec(['list the files']);
    const [, id] = await holder.stderrMatch(/session (\S+)/);
    await hanging;
    const requestsBefore = server.requestCount;

    const second = await endure.exec(['--resume', id!]).done;

    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`process ${holder.pid}`);
    expect(lines[0]).toContain(`session ${id}`);
    expect(server.requestCount).toBe(requestsBefore);

    holder.child.kill('SIGINT');
    expect((await holder.done).code).toBe(130);
    const after = await endure.exec(['--resume', id!]).done;
    expect(after.code).toBe(0);
    expect(after.stdout).toBe('Done at last.\n');
    expect(journalOf(home, id!).records.filter((record) => record.kind === 'end').map((r) => r.kind === 'end' && r.status)).toEqual([
      'interrupted',
      'done',
    ]);
  });
});
