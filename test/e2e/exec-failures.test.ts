/**
 * Every `endure exec --output-format json|stream-json` ends with its one result
 * object on stdout, whatever stopped it (cli.md): a bad flag, a bad config, no
 * task, a dead endpoint, an exception mid-session, a full disk. `session_id` is
 * null when no session started; the exit code is the one the cause calls for.
 * The full disk is real: ENDURE_HOME on a 1 MiB tmpfs that bubblewrap mounts,
 * filled by the model's own shell call; once space is freed the session resumes
 * with nothing lost and nothing run twice.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  call,
  cliPath,
  closedPort,
  e2eTest as test,
  journalCalls,
  journalOf,
  makeRepo,
  planModel,
  sessionIds,
  TEST_API_KEY,
} from '../support/e2e-fixtures.js';

const FAST_RETRIES = { ENDURE_RETRY_BUDGET_MS: '300' };

/** The single result object on stdout (json), or the last of the lines (stream-json), checked to be the only result. */
function resultOf(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((line) => line !== '');
  const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const results = objects.filter((object) => object.type === 'result' || object.type === undefined);
  expect(results).toHaveLength(1);
  expect(objects.at(-1)).toBe(results[0]);
  return results[0]!;
}

const noSession = {
  session_id: null,
  status: 'failed',
  result: '',
  turns: 0,
  tool_calls: 0,
  usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, prefilled_tokens: 0 },
};

describe('a result object on every failure of endure exec', { timeout: 120_000 }, () => {
  test('a bad flag value: exit 2, the object names the flag', async ({ endure, home }) => {
    const run = await endure.exec(['--output-format', 'json', '--max-turns', 'many', 'fix it']).done;
    expect(run.code).toBe(2);
    const result = resultOf(run.stdout);
    expect(result).toMatchObject(noSession);
    expect(result.error).toMatch(/^--max-turns must be a positive whole number/);
    expect(sessionIds(home)).toEqual([]);
  });

  test('an unknown flag (the command line does not parse): exit 2, one stream-json line', async ({ endure }) => {
    const run = await endure.exec(['--output-format=stream-json', '--frobnicate', 'fix it']).done;
    expect(run.code).toBe(2);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    const result = resultOf(run.stdout);
    expect(result).toMatchObject({ type: 'result', ...noSession });
    expect(result.error).toContain('--frobnicate');
    // text output stays text: nothing on stdout
    const text = await endure.exec(['--frobnicate', 'fix it']).done;
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe("endure: unknown option '--frobnicate'; see endure exec --help\n");
    // Commander's own sentences lose their full stop before the hint (no ".;").
    const choice = await endure.exec(['--thinking', 'maybe', 'fix it']).done;
    expect([choice.code, choice.stderr]).toEqual([2, "endure: option '--thinking <on|off>' argument 'maybe' is invalid. Allowed choices are on, off; see endure exec --help\n"]);
  });

  test('no task: exit 2', async ({ endure }) => {
    const run = await endure.exec(['--output-format', 'json'], { stdin: '' }).done;
    expect(run.code).toBe(2);
    expect(resultOf(run.stdout)).toMatchObject({ ...noSession, error: expect.stringMatching(/^no task given/) });
  });

  test('an invalid config file: exit 2, the object names the file and key', async ({ scratch, endure }) => {
    const repo = makeRepo(scratch, 'bad-config', { '.endure/config.json': JSON.stringify({ budgets: { maxTurns: -3 } }) });
    const run = await endure.exec(['--output-format', 'json', 'fix it'], { cwd: repo }).done;
    expect(run.code).toBe(2);
    const result = resultOf(run.stdout);
    expect(result).toMatchObject(noSession);
    expect(result.error).toContain(join(repo, '.endure', 'config.json'));
    expect(result.error).toContain('budgets.maxTurns');
  });

  test('a dead endpoint: exit 1, no session, the object names the base URL (json and stream-json)', async ({ endure, home }) => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    for (const format of ['json', 'stream-json']) {
      const run = await endure.exec(['--output-format', format, 'fix the tests'], { baseUrl, env: FAST_RETRIES }).done;
      expect(run.code).toBe(1);
      const result = resultOf(run.stdout);
      expect(result).toMatchObject(noSession);
      expect(result.error).toContain(baseUrl);
    }
    expect(sessionIds(home)).toEqual([]);
  });

  test('a dead endpoint on resume: exit 1, the object names the resumed session and its counts', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }], 'Looked.'));
    expect((await endure.exec(['look around']).done).code).toBe(0);
    const id = sessionIds(home)[0]!;

    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const run = await endure.exec(['--output-format', 'json', '--resume', id, 'and again'], { baseUrl, env: FAST_RETRIES }).done;
    expect(run.code).toBe(1);
    const result = resultOf(run.stdout);
    expect(result).toMatchObject({ session_id: id, status: 'failed', turns: 2, tool_calls: 1 });
    expect(result.error).toContain(baseUrl);
  });

  test('interrupted twice while the endpoint hangs: exit 130 at once, still with the object', async ({ endure }) => {
    // An endpoint that accepts connections and never answers: the start-up waits on it.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
      const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
      const run = endure.exec(['--output-format', 'json', 'fix the tests'], { baseUrl });
      await connected;
      run.child.kill('SIGINT');
      await run.stderrMatch(/interrupt again to stop at once/);
      run.child.kill('SIGINT');
      const outcome = await run.done;
      expect(outcome.code).toBe(130);
      expect(resultOf(outcome.stdout)).toMatchObject({ ...noSession, status: 'interrupted', error: expect.stringMatching(/interrupted twice/) });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  // Not a failure endure knows (no typed error): a raw EEXIST from the blob store, which a shell call of the model's caused.
  for (const format of ['json', 'stream-json'] as const) {
    test(`an unexpected exception mid-session (the blob store became a file): exit 1, ${format} ends with the object`, async ({ server, endure, home }) => {
      const breakBlobs = `for d in ${home}/sessions/*; do rm -rf "$d/blobs" && touch "$d/blobs"; done; head -c 20000 /dev/zero | tr '\\0' x`;
      server.respondWith(planModel([{ toolCalls: [call('run_shell', { command: breakBlobs })] }], 'Never reached.'));
      const run = await endure.exec(['--output-format', format, '--context-window', '16384', 'print a lot']).done;
      expect(run.code).toBe(1);
      const id = sessionIds(home)[0]!;
      if (format === 'stream-json') expect(JSON.parse(run.stdout.split('\n')[0]!)).toMatchObject({ type: 'session_start', session_id: id });
      else expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const result = resultOf(run.stdout);
      expect(result).toMatchObject({ session_id: id, status: 'failed', result: '', turns: 1 });
      expect(result.type).toBe(format === 'stream-json' ? 'result' : undefined);
      expect(result.error).toMatch(new RegExp(`^EEXIST: .*blobs'? \\(unexpected; the session is kept: endure exec --resume ${id} continues it once the cause is fixed\\)$`));
      // The counts are the session's own, as `sessions list` tells them.
      const listed = JSON.parse((await endure.run(['sessions', 'list', '--json']).done).stdout) as unknown[];
      expect(listed).toMatchObject([{ id, turns: result.turns, tool_calls: result.tool_calls }]);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(`endure: ${result.error}`);
    });
  }

  test('a full disk mid-session: exit 1 with the object; once space is freed the session resumes, nothing lost or run twice', async ({
    server,
    scratch,
    repo,
    endure,
  }) => {
    const disk = join(scratch, 'disk');
    const out = join(scratch, 'out');
    mkdirSync(disk);
    mkdirSync(out);
    const notes = 'n'.repeat(64 * 1024);
    // Step 0 fills the disk (and counts its runs outside it); step 1's 64 KB record cannot be written.
    server.respondWith(
      planModel(
        [
          { toolCalls: [call('run_shell', { command: `echo ran >> ${out}/ran.txt; head -c 2000000 /dev/zero > ${disk}/filler` })] },
          { toolCalls: [call('write_file', { path: 'notes.txt', content: notes })] },
        ],
        'Wrote the notes.',
      ),
    );
    // The tmpfs lives in bubblewrap's mount namespace, so both runs and the freeing happen in there.
    const script = [
      'exec_endure() { "$NODE" "$CLI" exec --base-url "$BASE_URL" --cwd "$REPO" --sandbox host --output-format json "$@"; }',
      'exec_endure "fill the disk, then write notes" > "$OUT/first.json" 2> "$OUT/first.err"; echo $? > "$OUT/first.code"',
      'rm "$DISK/filler"',
      'exec_endure --resume last > "$OUT/second.json" 2> "$OUT/second.err"; echo $? > "$OUT/second.code"',
      'cp -R "$DISK/home" "$OUT/home"',
    ].join('\n');
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(scratch, 'user-home'),
      XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'),
      ENDURE_HOME: join(disk, 'home'),
      ENDURE_API_KEY: TEST_API_KEY,
      LANG: 'C.UTF-8',
      NODE: process.execPath,
      CLI: cliPath(),
      BASE_URL: server.url,
      REPO: repo,
      OUT: out,
      DISK: disk,
    };
    // stdin closed: the resume reads its (empty) extra task from it.
    const child = spawn('bwrap', ['--dev-bind', '/', '/', '--size', String(1024 * 1024), '--tmpfs', disk, 'sh', '-c', script], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const read = (name: string) => readFileSync(join(out, name), 'utf8');

    expect(read('first.code').trim()).toBe('1');
    const home = join(out, 'home');
    const id = sessionIds(home)[0]!;
    const first = resultOf(read('first.json'));
    expect(first).toMatchObject({ session_id: id, status: 'failed', turns: 1, tool_calls: 1 });
    expect(first.error).toMatch(/no space left on device/i);
    expect(read('first.err')).toMatch(/no space left on device/i);

    expect(read('second.code').trim()).toBe('0');
    expect(resultOf(read('second.json'))).toMatchObject({ session_id: id, status: 'done', result: 'Wrote the notes.', turns: 3, tool_calls: 2 });
    expect(read('ran.txt')).toBe('ran\n');
    expect(readFileSync(join(repo, 'notes.txt'), 'utf8')).toBe(notes);
    const { records } = journalOf(home, id);
    expect(journalCalls(records).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual(['call_0_0 run_shell', 'call_1_0 write_file']);
    const ends = records.filter((record) => record.kind === 'tool_end').map((record) => (record as { callId: string }).callId);
    expect(ends).toEqual(['call_0_0', 'call_1_0']);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'done' });
    const listed = JSON.parse((await endure.run(['sessions', 'list', '--json'], { home }).done).stdout) as unknown[];
    expect(listed).toMatchObject([{ id, status: 'done', turns: 3, tool_calls: 2 }]);
  });
});
