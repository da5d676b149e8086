import type { Client } from '@modelcontextprotocol/client';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { createShellServer, type ShellServerOptions } from '../../tools/shell/shell-server.js';
import { connectInMemory, resultText, toolServerTest } from '../support/mcp-fixtures.js';

interface CallOutcome {
  text: string;
  isError: boolean;
  structured: Record<string, unknown>;
}

type Connect = (options?: Partial<ShellServerOptions>) => Promise<{ client: Client; close: () => Promise<void> }>;

const test = toolServerTest.extend<{ connect: Connect; client: Client }>({
  connect: async ({ workspace }, use) => {
    const closers: Array<() => Promise<void>> = [];
    await use(async (options = {}) => {
      const server = createShellServer({ root: workspace, killGraceMs: 300, ...options });
      const client = await connectInMemory(server);
      const close = async () => {
        await client.close();
        await server.close();
      };
      closers.push(close);
      return { client, close };
    });
    for (const close of closers) await close();
  },
  client: async ({ connect }, use) => {
    await use((await connect()).client);
  },
});

async function call(client: Client, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallOutcome> {
  const result = await client.callTool({ name, arguments: args }, signal ? { signal } : undefined);
  return { text: resultText(result), isError: result.isError === true, structured: (result.structuredContent ?? {}) as Record<string, unknown> };
}

/** True while `pid` exists and is not a zombie waiting to be reaped. */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsIn(text: string): number[] {
  return [...text.matchAll(/^pid=(\d+)$/gm)].map((match) => Number(match[1]));
}

describe('run_shell', () => {
  test('lists three tools with honest annotations and a stable schema', async ({ client }) => {
    const { tools } = await client.listTools();
    const shown = tools.map(({ name, description, inputSchema, annotations }) => ({ name, description, inputSchema, annotations }));
    expect(shown).toMatchSnapshot();
    const budget = Object.fromEntries(
      tools.map((tool) => {
        const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
        return [tool.name, Buffer.byteLength(tool.description ?? '') + Buffer.byteLength(JSON.stringify(schema))];
      }),
    );
    console.log('shell tool bytes (description + schema without $schema):', budget);
    for (const bytes of Object.values(budget)) expect(bytes).toBeLessThanOrEqual(650);
    expect(Object.values(budget).reduce((sum, bytes) => sum + bytes, 0)).toBeLessThanOrEqual(3 * 450);
  });

  test('returns output, exit code and interleaved stderr', async ({ client }) => {
    const ok = await call(client, 'run_shell', { command: 'echo hello; echo oops >&2' });
    expect(ok).toMatchObject({ isError: false, structured: { exitCode: 0, signal: null, outputBytes: 11 } });
    expect(ok.text).toBe('exit code: 0\nhello\noops\n');

    const failed = await call(client, 'run_shell', { command: 'echo partial; exit 3' });
    expect(failed).toMatchObject({ isError: false, structured: { exitCode: 3 } });
    expect(failed.text).toBe('exit code: 3\npartial\n');

    const silent = await call(client, 'run_shell', { command: 'true' });
    expect(silent.text).toBe('exit code: 0\n(no output)');

    const signaled = await call(client, 'run_shell', { command: 'kill -KILL $$' });
    expect(signaled).toMatchObject({ isError: false, structured: { exitCode: null, signal: 'SIGKILL' } });
    expect(signaled.text).toContain('killed by signal SIGKILL');
  });

  test('runs in a cwd inside the workspace and refuses escapes', async ({ client, workspace, outside }) => {
    await mkdir(join(workspace, 'sub', 'deeper'), { recursive: true });
    const inside = await call(client, 'run_shell', { command: 'pwd', cwd: 'sub/deeper' });
    expect(inside.text).toContain(join(workspace, 'sub', 'deeper'));
    expect((await call(client, 'run_shell', { command: 'pwd' })).text).toContain(workspace);

    await symlink(outside, join(workspace, 'link-out'));
    for (const cwd of ['..', '/etc', 'sub/../../', 'link-out', outside]) {
      const refused = await call(client, 'run_shell', { command: 'touch escaped', cwd });
      expect(refused.isError, cwd).toBe(true);
      expect(refused.text).toContain('outside the workspace');
    }

    const missing = await call(client, 'run_shell', { command: 'pwd', cwd: 'nope' });
    expect(missing).toMatchObject({ isError: true, text: expect.stringContaining('does not exist') });
    await writeFile(join(workspace, 'file.txt'), 'x');
    expect((await call(client, 'run_shell', { command: 'pwd', cwd: 'file.txt' })).text).toContain('not a directory');
  });

  test('turns wrong argument types into tool errors', async ({ client }) => {
    for (const args of [{ command: 5 }, {}, { command: 'true', timeout: 'soon' }, { command: 'true', timeout: 100_000 }, { command: 'true', shell: 'zsh' }]) {
      const outcome = await call(client, 'run_shell', args);
      expect(outcome.isError, JSON.stringify(args)).toBe(true);
      expect(outcome.text).toMatch(/invalid|unrecognized|expected|too big/i);
    }
  });

  test('a timeout kills the whole process group, grandchildren included', async ({ client }) => {
    const command = [
      'sleep 300 & echo pid=$!',
      "(trap '' TERM; exec sleep 300) & echo pid=$!",
      'wait',
    ].join('\n');
    const outcome = await call(client, 'run_shell', { command, timeout: 1 });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/^timed out after 1 s; its process group was killed \(killed by signal SIGTERM\)/);
    expect(outcome.structured).toMatchObject({ stoppedBy: 'timeout', signal: 'SIGTERM', exitCode: null });
    const pids = pidsIn(outcome.text);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await isAlive(pid), `pid ${pid}`).toBe(false);
  });

  test('processes left behind when the command exits are stopped', async ({ client }) => {
    const outcome = await call(client, 'run_shell', { command: 'sleep 300 & echo pid=$!' });
    expect(outcome).toMatchObject({ isError: false, structured: { exitCode: 0 } });
    const [pid] = pidsIn(outcome.text);
    expect(await isAlive(pid!)).toBe(false);
  });

  test('100 MB of output comes back capped, with the total size, without buffering it', async ({ client }) => {
    const before = process.memoryUsage().rss;
    const outcome = await call(client, 'run_shell', { command: "head -c 100000000 /dev/zero | tr '\\0' x; echo; echo THE-END" });
    const grown = process.memoryUsage().rss - before;
    expect(outcome.isError).toBe(false);
    expect(outcome.structured).toMatchObject({ exitCode: 0, outputBytes: 100_000_009, omittedBytes: 100_000_009 - 32_768 });
    expect(outcome.text).toContain('output: 100,000,009 bytes in all; 99,967,241 bytes omitted from the middle');
    expect(outcome.text).toContain('[... 99,967,241 bytes omitted ...]');
    expect(outcome.text.endsWith('x\nTHE-END\n')).toBe(true);
    expect(outcome.text.length).toBeLessThan(34_000);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  test('cuts multi-byte characters only on character boundaries', async ({ connect }) => {
    const { client } = await connect({ maxOutputBytes: 64 });
    const outcome = await call(client, 'run_shell', { command: "for i in $(seq 200); do printf 'é€'; done" });
    expect(outcome.text).not.toContain('\uFFFD');
    expect(outcome.text).toContain('omitted');
  });

  test('hides secret-looking variables unless passed', async ({ connect }) => {
    const env = { PATH: process.env.PATH, MY_SERVICE_TOKEN: 't0k', OPENAI_API_KEY: 'sk-1', DB_PASSWORD: 'pw', GITHUB_AUTH: 'gh', PLAIN_SETTING: 'plain', PASSED_API_KEY: 'allowed' };
    const { client } = await connect({ env, passEnv: ['PASSED_API_KEY'] });
    const outcome = await call(client, 'run_shell', { command: 'env | sort' });
    expect(outcome.text).toContain('PLAIN_SETTING=plain');
    expect(outcome.text).toContain('PASSED_API_KEY=allowed');
    for (const hidden of ['MY_SERVICE_TOKEN', 'OPENAI_API_KEY', 'DB_PASSWORD', 'GITHUB_AUTH']) expect(outcome.text).not.toContain(hidden);
  });

  test('a long command reports progress when the client asks for it', async ({ connect, workspace }) => {
    const { client } = await connect({ progressIntervalMs: 20 });
    const progress: { progress: number; message?: string }[] = [];
    const result = await client.callTool(
      { name: 'run_shell', arguments: { command: 'echo waiting; while [ ! -f go ]; do sleep 0.02; done; echo went' } },
      {
        onprogress: (update) => {
          progress.push(update);
          void writeFile(join(workspace, 'go'), '');
        },
      },
    );
    expect(resultText(result)).toBe('exit code: 0\nwaiting\nwent\n');
    expect(progress[0]).toMatchObject({ progress: 1, message: expect.stringMatching(/^running, \d+ bytes of output so far$/) });
  });

  test('a cancelled call kills its process group', async ({ client, workspace }) => {
    const controller = new AbortController();
    const pending = call(client, 'run_shell', { command: 'sleep 300 & echo $! > child.pid; wait' }, controller.signal);
    const pid = await vi.waitFor(async () => Number(await readFile(join(workspace, 'child.pid'), 'utf8')), { timeout: 5000 });
    expect(await isAlive(pid)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(async () => expect(await isAlive(pid)).toBe(false), { timeout: 5000 });
  });
});

describe('background jobs', () => {
  test('start, read new output, read from an offset, kill', async ({ client }) => {
    const started = await call(client, 'run_shell', { command: 'echo pid=$BASHPID; echo one; echo two; sleep 300 & wait', background: true });
    expect(started).toMatchObject({ isError: false, structured: { jobId: 'j1' } });
    expect(started.text).toMatch(/^started job j1 \(pid \d+\)/);

    const first = await vi.waitFor(
      async () => {
        const read = await call(client, 'job_output', { job_id: 'j1' });
        expect(read.text).toContain('two');
        return read;
      },
      { timeout: 5000 },
    );
    expect(first.text).toMatch(/^job j1: running for \d+ s \(pid \d+\)/);
    expect(first.structured).toMatchObject({ jobId: 'j1', running: true, exitCode: null });
    expect((await call(client, 'job_output', { job_id: 'j1' })).text).toContain('(no new output)');

    const again = await call(client, 'job_output', { job_id: 'j1', offset: 0 });
    expect(again.text).toContain('one\ntwo');
    const [leaderPid] = pidsIn(again.text);

    const killed = await call(client, 'job_kill', { job_id: 'j1' });
    expect(killed).toMatchObject({ isError: false, structured: { stoppedBy: 'killed', signal: 'SIGTERM' } });
    expect(killed.text).toContain('job j1 stopped by job_kill (killed by signal SIGTERM)');
    expect(await isAlive(leaderPid!)).toBe(false);

    const twice = await call(client, 'job_kill', { job_id: 'j1' });
    expect(twice).toMatchObject({ isError: false, text: expect.stringContaining('had already ended') });
    const status = await call(client, 'job_output', { job_id: 'j1' });
    expect(status.structured).toMatchObject({ running: false, stoppedBy: 'killed' });
  });

  test('reports the exit code of a job that ended on its own', async ({ client }) => {
    await call(client, 'run_shell', { command: 'echo done; exit 7', background: true });
    const read = await vi.waitFor(
      async () => {
        const outcome = await call(client, 'job_output', { job_id: 'j1', offset: 0 });
        expect(outcome.structured.running).toBe(false);
        return outcome;
      },
      { timeout: 5000 },
    );
    expect(read.text).toMatch(/^job j1: exit code: 7\n/);
    expect(read.text).toContain('done');
    expect(read.structured).toMatchObject({ exitCode: 7 });
  });

  test('large job output is read in bounded slices addressed by offset', async ({ connect }) => {
    const { client } = await connect({ maxOutputBytes: 1000 });
    await call(client, 'run_shell', { command: "head -c 5000 /dev/zero | tr '\\0' a", background: true });
    await vi.waitFor(
      async () => expect((await call(client, 'job_output', { job_id: 'j1', offset: 0 })).structured.running).toBe(false),
      { timeout: 5000 },
    );
    const latest = await call(client, 'job_output', { job_id: 'j1' });
    expect(latest.structured).toMatchObject({ from: 4000, to: 5000, totalBytes: 5000 });
    expect(latest.text).toContain('4,000 bytes of new output not shown; pass offset=0 to read them');
    const page = await call(client, 'job_output', { job_id: 'j1', offset: 1000 });
    expect(page.structured).toMatchObject({ from: 1000, to: 2000 });
    expect(page.text).toContain('pass offset=2000 to continue');
    expect((await call(client, 'job_output', { job_id: 'j1', offset: 9000 })).isError).toBe(true);
  });

  test('unknown job ids are tool errors that list the known ones', async ({ client }) => {
    expect((await call(client, 'job_output', { job_id: 'j9' })).text).toBe('no job "j9"; no background jobs exist');
    await call(client, 'run_shell', { command: 'true', background: true });
    expect(await call(client, 'job_kill', { job_id: 'x' })).toMatchObject({ isError: true, text: 'no job "x"; known jobs: j1' });
    for (const [name, args] of [['job_output', { job_id: 1 }], ['job_output', { job_id: 'j1', offset: -5 }], ['job_kill', {}]] as const) {
      const outcome = await call(client, name, args);
      expect(outcome.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(outcome.text).toMatch(/invalid|expected|too small/i);
    }
  });

  test('jobs die when the server closes', async ({ connect, workspace }) => {
    const { client, close } = await connect();
    await call(client, 'run_shell', { command: 'sleep 300 & echo $! > job.pid; wait', background: true });
    const pid = await vi.waitFor(async () => Number(await readFile(join(workspace, 'job.pid'), 'utf8')), { timeout: 5000 });
    expect(await isAlive(pid)).toBe(true);
    await close();
    await vi.waitFor(async () => expect(await isAlive(pid)).toBe(false), { timeout: 5000 });
  });
});
