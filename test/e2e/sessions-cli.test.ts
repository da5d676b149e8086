/**
 * `endure sessions list|show|export|rm` on sessions made by real `endure exec`
 * runs: a finished one, one stopped by a budget, and one a live process holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { formatSeconds } from '../../src/ui/format.js';
import { call, e2eTest as test, hangOnce, journalOf, journalPath, planModel, sessionIds } from '../support/e2e-fixtures.js';

describe('endure sessions', { timeout: 120_000 }, () => {
  test('list --json, show, export --format md|jsonl -o FILE, rm', async ({ scratch, server, endure, home }) => {
    server.respondWith(planModel([{ reasoning: 'Read it first.', toolCalls: [call('read_file', { path: 'README.md' })] }], 'The README greets the e2e workspace.'));
    expect((await endure.exec(['summarise the readme']).done).code).toBe(0);
    const [done] = sessionIds(home);
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }, { toolCalls: [call('list_dir', { path: '.' })] }]));
    expect((await endure.exec(['--max-turns', '1', 'list the files']).done).code).toBe(3);
    const budget = sessionIds(home).find((id) => id !== done)!;

    let hung!: () => void;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    server.respondWith(hangOnce(() => hung(), { content: 'unused' }));
    const live = endure.exec(['wait for the model']);
    await hanging;
    const running = sessionIds(home).find((id) => id !== done && id !== budget)!;

    const list = await endure.run(['sessions', 'list', '--json']).done;
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => row.id)).toEqual([running, budget, done]);
    expect(rows.find((row) => row.id === done)).toMatchObject({ status: 'done', task: 'summarise the readme', turns: 2, tool_calls: 1 });
    expect(rows.find((row) => row.id === budget)).toMatchObject({ status: 'budget', task: 'list the files', turns: 1, tool_calls: 1 });
    expect(rows.find((row) => row.id === running)).toMatchObject({ status: 'running', task: 'wait for the model', turns: 0 });
    for (const row of rows) {
      expect(Number.isNaN(Date.parse(String(row.last_activity)))).toBe(false);
      expect(row.dir).toBe(join(home, 'sessions', String(row.id)));
    }

    const table = await endure.run(['sessions', 'list']).done;
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.trim().split('\n')).toHaveLength(4);
    expect(table.stdout).toMatch(new RegExp(`${done}\\s+done\\s+2\\s+1\\s+.*summarise the readme`));

    const show = await endure.run(['sessions', 'show', done!]).done;
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`# Session ${done}`);
    expect(show.stdout).toContain('## User\n\nsummarise the readme');
    // How long it thought, as the UI says it.
    const thought = journalOf(home, done!).records.find((record) => record.kind === 'assistant' && record.reasoning !== undefined);
    const reasoningMs = thought?.kind === 'assistant' ? thought.reasoningMs : undefined;
    expect(reasoningMs).toBeGreaterThanOrEqual(0);
    expect(show.stdout).toContain(`<details><summary>reasoning (thought for ${formatSeconds(reasoningMs!)})</summary>\n\nRead it first.`);
    expect(show.stdout).toMatch(/\*\*→ read_file\*\* `\{"path":"README.md"\}`/);
    expect(show.stdout).toContain('e2e workspace');
    expect(show.stdout).toContain('The README greets the e2e workspace.');
    expect(show.stdout).toContain('## End: done');

    const md = join(scratch, 'session.md');
    const exportMd = await endure.run(['sessions', 'export', done!, '--format', 'md', '-o', md]).done;
    expect(exportMd.code).toBe(0);
    expect(exportMd.stdout).toBe('');
    expect(readFileSync(md, 'utf8')).toBe(show.stdout);
    const jsonl = join(scratch, 'session.jsonl');
    expect((await endure.run(['sessions', 'export', done!, '--format', 'jsonl', '-o', jsonl]).done).code).toBe(0);
    expect(readFileSync(jsonl, 'utf8')).toBe(readFileSync(journalPath(home, done!), 'utf8'));
    const mdStdout = await endure.run(['sessions', 'export', 'last']).done;
    expect(mdStdout.stdout).toContain(`# Session ${running}`);

    const refused = await endure.run(['sessions', 'rm', running!]).done;
    // Refused as rewind refuses a live session: a usage error, exit 2.
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`process ${live.pid}`);
    expect(existsSync(join(home, 'sessions', running!))).toBe(true);

    const removed = await endure.run(['sessions', 'rm', budget!]).done;
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe(`removed session ${budget}\n`);
    expect(existsSync(join(home, 'sessions', budget!))).toBe(false);
    const missing = await endure.run(['sessions', 'show', budget!]).done;
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringContaining(`no session "${budget}"`)]);

    live.child.kill('SIGINT');
    expect((await live.done).code).toBe(130);
    const after = JSON.parse((await endure.run(['sessions', 'list', '--json']).done).stdout) as Record<string, unknown>[];
    expect(after.map((row) => [row.id, row.status])).toEqual([
      [running, 'interrupted'],
      [done, 'done'],
    ]);
  });

  test('a reference that names no session is a usage error: one line, exit 2, in every command that takes one', async ({ server, endure, home }) => {
    for (const [args, pattern] of [
      [['sessions', 'show', 'last'], /^endure: there are no sessions in .* yet/],
      [['exec', '--resume', 'last'], /^endure: there are no sessions in .* yet/],
    ] as const) {
      const run = await endure.run([...args]).done;
      expect([run.code, run.stderr.trim().split('\n')], args.join(' ')).toEqual([2, [expect.stringMatching(pattern)]]);
    }
    server.respondWith(planModel([], 'Nothing to do.'));
    for (let n = 0; n < 2; n++) expect((await endure.exec(['say hello']).done).code).toBe(0);
    const commands = [['sessions', 'show'], ['sessions', 'export'], ['sessions', 'rm'], ['sessions', 'fork'], ['sessions', 'rewind', '--to', '1'], ['exec', '--resume']];
    for (const [ref, pattern] of [
      ['nosuch', /^endure: no session "nosuch" in .*; see 'endure sessions list'$/],
      ['../x', /^endure: "..\/x" is not a session id; use an id from 'endure sessions list' or 'last'$/],
      ['2', /^endure: "2" matches 2 sessions; give more of the id/],
    ] as const) {
      for (const command of commands) {
        const args = command[0] === 'exec' ? [...command, ref, '--output-format', 'json'] : command.length > 2 ? [command[0]!, command[1]!, ref, ...command.slice(2)] : [...command, ref];
        const run = await endure.run(args).done;
        expect([run.code, run.stderr.trim().split('\n')], args.join(' ')).toEqual([2, [expect.stringMatching(pattern)]]);
        if (command[0] === 'exec') expect(JSON.parse(run.stdout)).toMatchObject({ session_id: null, status: 'failed' });
      }
    }
    expect(sessionIds(home)).toHaveLength(2);
  });

  test('a reader that stops early (sessions show | head) ends the output quietly: no stack trace', async ({ server, endure, home }) => {
    // An answer far larger than a pipe holds: the transcript is still being written when the reader goes.
    server.respondWith(planModel([], `${'A long answer line.\n'.repeat(100_000)}`));
    expect((await endure.exec(['write a lot']).done).code).toBe(0);
    const [id] = sessionIds(home);
    for (const args of [['sessions', 'show', id!], ['sessions', 'export', id!, '--format', 'jsonl'], ['sessions', 'list']]) {
      const run = endure.run(args);
      run.child.stdout!.once('data', () => run.child.stdout!.destroy());
      const outcome = await run.done;
      expect([outcome.code, outcome.stderr], args.join(' ')).toEqual([0, '']);
    }
  });
});
