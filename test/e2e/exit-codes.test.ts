/**
 * Every exit code of `endure exec` from the real process: 0 done, 1 failed (a
 * dead endpoint, an endpoint that keeps failing mid-session), 2 usage or config
 * error, 3 budget (see budgets.test.ts for each budget), 130 interrupted by
 * SIGINT or SIGTERM with the end record written and the session resumable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  call,
  closedPort,
  e2eTest as test,
  hangOnce,
  journalOf,
  makeRepo,
  planModel,
  sessionIds,
  waitFor,
} from '../support/e2e-fixtures.js';

const FAST_RETRIES = { ENDURE_RETRY_BUDGET_MS: '300' };

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

describe('exit codes of endure exec', { timeout: 120_000 }, () => {
  test('0: the model answered', async ({ server, endure }) => {
    server.respondWith(planModel([], 'Nothing to do.'));
    const run = await endure.exec(['say hi']).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Nothing to do.\n');
  });

  test('1: a dead endpoint fails with one line that names the base URL', async ({ endure, home }) => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const run = await endure.exec(['fix the tests'], { baseUrl, env: FAST_RETRIES }).done;
    expect(run.code).toBe(1);
    const lines = stderrLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^endure: /);
    expect(lines[0]).toContain(baseUrl);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(sessionIds(home)).toEqual([]);
  });

  test('1: an endpoint that keeps failing mid-session ends the session failed, quoting the server', async ({ server, endure, home }) => {
    let failing = 0;
    server.respondWith(
      planModel([
        { toolCalls: [call('list_dir', { path: '.' })] },
        () => {
          failing += 1;
          return { type: 'http_error', status: 503, message: 'upstream model crashed' };
        },
      ]),
    );
    const run = await endure.exec(['--output-format', 'json', 'look around'], { env: FAST_RETRIES }).done;
    expect(run.code).toBe(1);
    expect(failing).toBeGreaterThan(0);
    expect(run.stderr).toContain(server.url);
    expect(run.stderr).toContain('upstream model crashed');
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'failed', turns: 1, tool_calls: 1 });
    expect(result.error).toContain('upstream model crashed');
    const { records } = journalOf(home, sessionIds(home)[0]!);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'failed' });
    expect(records.some((record) => record.kind === 'error')).toBe(true);
  });

  test('2: a bad flag value names the flag', async ({ endure, home }) => {
    const run = await endure.exec(['--max-turns', 'many', 'fix it']).done;
    expect(run.code).toBe(2);
    expect(stderrLines(run.stderr)).toEqual([expect.stringMatching(/^endure: --max-turns must be a positive whole number, got "many"/)]);
    const choice = await endure.exec(['--output-format', 'xml', 'fix it']).done;
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/--output-format/);
    const duration = await endure.exec(['--deadline', 'soon', 'fix it']).done;
    expect(duration.code).toBe(2);
    expect(duration.stderr).toMatch(/"soon" is not a duration/);
    expect(sessionIds(home)).toEqual([]);
  });

  test('2: no task, neither as an argument nor on stdin', async ({ endure, home }) => {
    const run = await endure.exec([], { stdin: '' }).done;
    expect(run.code).toBe(2);
    expect(stderrLines(run.stderr)).toEqual([expect.stringMatching(/^endure: no task given/)]);
    expect(sessionIds(home)).toEqual([]);
  });

  test('the task may come on stdin', async ({ server, endure }) => {
    server.respondWith(planModel([], 'Read it from stdin.'));
    const run = await endure.exec([], { stdin: 'summarise the repo\n' }).done;
    expect(run.code).toBe(0);
    expect(server.requests[0]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'summarise the repo' });
  });

  test('2: an invalid config file is named with its key', async ({ scratch, endure, home }) => {
    const repo = makeRepo(scratch, 'bad-config', { '.endure/config.json': JSON.stringify({ budgets: { maxTurns: -3 } }) });
    const run = await endure.exec(['fix it'], { cwd: repo }).done;
    expect(run.code).toBe(2);
    const [line, ...rest] = stderrLines(run.stderr);
    expect(rest).toEqual([]);
    expect(line).toContain(join(repo, '.endure', 'config.json'));
    expect(line).toContain('budgets.maxTurns');

    const userConfig = join(scratch, 'user-home', '.config', 'endure', 'config.json');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(userConfig, '..'), { recursive: true });
    writeFileSync(userConfig, '{ "model": "qwen", }');
    const invalidJson = await endure.exec(['fix it']).done;
    expect(invalidJson.code).toBe(2);
    expect(invalidJson.stderr).toContain(`${userConfig}: not valid JSON`);
    expect(sessionIds(home)).toEqual([]);
  });

  test('130: SIGINT while the model hangs writes the end record; the session resumes', async ({ server, endure, home }) => {
    let hung!: () => void;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    server.respondWith(
      planModel([{ toolCalls: [call('read_file', { path: 'README.md' })] }, hangOnce(() => hung(), { content: 'Finished after the resume.' })]),
    );
    const run = endure.exec(['--output-format', 'json', 'read the readme']);
    await hanging;
    run.child.kill('SIGINT');
    const outcome = await run.done;

    expect(outcome.code).toBe(130);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ status: 'interrupted', turns: 1, tool_calls: 1 });
    const id = sessionIds(home)[0]!;
    const { records } = journalOf(home, id);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'interrupted' });
    expect(existsSync(join(home, 'sessions', id, 'lock'))).toBe(false);

    const resumed = await endure.exec(['--resume', id]).done;
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('Finished after the resume.\n');
    expect(resumed.stderr).toContain(`session ${id} (resumed)`);
    expect(journalOf(home, id).records.at(-1)).toMatchObject({ kind: 'end', status: 'done' });
  });

  test('130: SIGTERM cancels a running tool through the same signal', async ({ server, endure, home, repo }) => {
    server.respondWith(
      planModel([{ toolCalls: [call('run_shell', { command: 'touch started.flag; sleep 60; touch finished.flag' })] }], 'Done.'),
    );
    const run = endure.exec(['wait a minute']);
    await waitFor(() => existsSync(join(repo, 'started.flag')), 'the shell command to start');
    run.child.kill('SIGTERM');
    const outcome = await run.done;

    expect(outcome.code).toBe(130);
    const { records } = journalOf(home, sessionIds(home)[0]!);
    expect(records.find((record) => record.kind === 'tool_end')).toMatchObject({ outcome: 'cancelled', isError: true });
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'interrupted' });
    expect(existsSync(join(repo, 'finished.flag'))).toBe(false);
    expect(readFileSync(join(home, 'sessions', sessionIds(home)[0]!, 'journal.jsonl'), 'utf8')).not.toContain('finished.flag"}');
  });
});
