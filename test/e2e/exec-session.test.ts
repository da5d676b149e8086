/**
 * `endure exec` end to end: a real session that makes a failing test pass, the
 * json and stream-json output formats, and the default sandbox.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, lastToolResult, makeRepo, planModel, sessionIds, TEST_API_KEY, toolLines } from '../support/e2e-fixtures.js';

const FAILING_PROJECT = {
  'package.json': '{ "type": "module" }\n',
  'math.js': 'export function add(a, b) {\n  return a - b;\n}\n',
  'math.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from './math.js';\n\ntest('add adds', () => {\n  assert.equal(add(2, 3), 5);\n});\n",
};

function nodeTest(cwd: string) {
  return spawnSync(process.execPath, ['--test'], { cwd, encoding: 'utf8' });
}

describe('endure exec', { timeout: 120_000 }, () => {
  test('an end-to-end session whose edits make a failing test pass', async ({ scratch, server, endure }) => {
    const repo = makeRepo(scratch, 'project', FAILING_PROJECT);
    expect(nodeTest(repo).status).not.toBe(0);
    const answer = 'Fixed add() in math.js: it subtracted instead of adding. `node --test` passes now.';
    server.respondWith(
      planModel([
        { reasoning: 'Read the code first.', toolCalls: [call('read_file', { path: 'math.js' })] },
        (request) => {
          expect(lastToolResult(request)).toContain('return a - b;');
          return { toolCalls: [call('edit_file', { path: 'math.js', old_string: 'return a - b;', new_string: 'return a + b;' })] };
        },
        { toolCalls: [call('run_shell', { command: 'node --test 2>&1' })] },
        (request) => (/exit code: 0/.test(lastToolResult(request)) ? { content: answer } : { content: 'The tests still fail.' }),
      ]),
    );

    const run = await endure.exec(['make the failing test pass'], { cwd: repo }).done;

    expect(run.stderr).not.toMatch(/error|warning/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${answer}\n`);
    expect(readFileSync(join(repo, 'math.js'), 'utf8')).toContain('return a + b;');
    expect(nodeTest(repo).status).toBe(0);
    const lines = toolLines(run.stderr);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/✓ read_file math\.js/);
    expect(lines[1]).toMatch(/✓ edit_file math\.js/);
    expect(lines[2]).toMatch(/✓ run_shell node --test/);
    expect(server.requestCount).toBe(4);
    expect(server.requests[0]!.headers.authorization).toMatch(/^Bearer /);
  });

  test('--output-format json prints one object with the run summary', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }], 'The repo holds a README.'));

    const run = await endure.exec(['--output-format', 'json', 'what is in this repo?']).done;

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result).toEqual({
      session_id: sessionIds(home)[0],
      status: 'done',
      result: 'The repo holds a README.',
      turns: 2,
      tool_calls: 1,
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), cached_tokens: 0, prefilled_tokens: expect.any(Number) },
      duration_ms: expect.any(Number),
    });
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(toolLines(run.stderr)).toHaveLength(1);
  });

  test('--output-format stream-json prints one event per line, session id first and the result last', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('read_file', { path: 'README.md' })] }], 'It says: e2e workspace.'));

    const run = await endure.exec(['--output-format', 'stream-json', 'read the readme']).done;

    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const id = sessionIds(home)[0];
    expect(events[0]).toMatchObject({ type: 'session_start', session_id: id });
    for (const event of events) expect(typeof event.type).toBe('string');
    const types = events.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['turn_start', 'assistant_message', 'tool_start', 'tool_end', 'session_end']));
    expect(types.indexOf('tool_start')).toBeLessThan(types.indexOf('tool_end'));
    expect(events.at(-1)).toEqual({
      type: 'result',
      session_id: id,
      status: 'done',
      result: 'It says: e2e workspace.',
      turns: 2,
      tool_calls: 1,
      usage: expect.objectContaining({ prompt_tokens: expect.any(Number) }),
      duration_ms: expect.any(Number),
    });
  });

  test('stream-json seq is the journal position: it never decreases across a run and its resume, and session_start opens each run', async ({
    server,
    endure,
    home,
  }) => {
    server.respondWith(
      planModel(
        [{ toolCalls: [call('read_file', { path: 'README.md' })] }, { toolCalls: [call('run_shell', { command: 'echo hi > hi.txt' })] }],
        'Done.',
      ),
    );
    const eventsOf = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; seq: number; resumed?: boolean })
        .filter((event) => event.type !== 'result');

    const first = await endure.exec(['--max-turns', '1', '--output-format', 'stream-json', 'read the readme']).done;
    expect(first.code).toBe(3);
    const resumed = await endure.exec(['--resume', 'last', '--output-format', 'stream-json']).done;
    expect(resumed.code).toBe(0);

    const firstEvents = eventsOf(first.stdout);
    const resumedEvents = eventsOf(resumed.stdout);
    expect(firstEvents[0]).toMatchObject({ type: 'session_start', resumed: false, seq: 1 });
    expect(resumedEvents[0]).toMatchObject({ type: 'session_start', resumed: true });
    expect(resumedEvents.filter((event) => event.type === 'session_start')).toHaveLength(1);
    const seqs = [...firstEvents, ...resumedEvents].map((event) => event.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThanOrEqual(seqs[i - 1]!);
    // Events that report a record carry that record's seq.
    const { records } = journalOf(home, sessionIds(home)[0]!);
    for (const event of [...firstEvents, ...resumedEvents].filter((e) => e.type === 'tool_end' || e.type === 'session_end')) {
      expect(records[event.seq - 1]?.kind).toBe(event.type === 'tool_end' ? 'tool_end' : 'end');
    }
    expect(resumedEvents.at(-1)!.seq).toBe(records.length);
  });

  test('the default sandbox runs the tools confined and the session works', async ({ server, endure, repo, home }) => {
    server.respondWith(
      planModel([{ toolCalls: [call('run_shell', { command: 'echo sandboxed > out.txt && cat out.txt' })] }], 'Wrote out.txt.'),
    );

    const run = await endure.exec(['write out.txt'], { sandbox: null }).done;

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Wrote out.txt.\n');
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('sandboxed\n');
    const journal = journalOf(home, sessionIds(home)[0]!);
    const start = journal.records[0]!;
    expect(start.kind === 'session_start' && start.sandbox).toBe('bwrap');
    expect(run.stderr).toMatch(/sandbox bwrap/);
  });

  test('no file of the session directory holds the API key or a configured secret', async ({ scratch, server, endure, home }) => {
    const repo = makeRepo(scratch, 'secret-repo', {
      '.endure/config.json': JSON.stringify({ secretEnv: ['E2E_DEPLOY_TOKEN'] }),
    });
    const token = 'tok-e2e-7c1f0b93aa52d6e4';
    server.respondWith(
      planModel([
        { toolCalls: [call('write_file', { path: 'creds.txt', content: `key=${TEST_API_KEY}\ntoken=${token}\n` })] },
        { toolCalls: [call('run_shell', { command: 'cat creds.txt; head -c 12000 /dev/zero | tr "\\0" x; echo; cat creds.txt' })] },
        { toolCalls: [call('read_file', { path: 'creds.txt' })] },
      ], `I stored ${TEST_API_KEY} and ${token} in creds.txt.`),
    );

    const run = await endure.exec(['store the credentials'], { cwd: repo, env: { E2E_DEPLOY_TOKEN: token } }).done;

    expect(run.code).toBe(0);
    expect(readFileSync(join(repo, 'creds.txt'), 'utf8')).toContain(TEST_API_KEY);
    const files = filesUnder(join(home, 'sessions'));
    expect(files.some((file) => file.endsWith('journal.jsonl'))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain(TEST_API_KEY);
      expect(text, file).not.toContain(token);
    }
    const journal = readFileSync(files.find((file) => file.endsWith('journal.jsonl'))!, 'utf8');
    expect(journal).toContain('[REDACTED]');
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
