import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { BASE_ENV, test } from './fixtures.js';
import { markedSleeper, pidsWithMarker, uniqueMarker, waitUntil } from './processes.js';

const PARENT = `
import { spawn } from 'node:child_process';
const wrapped = JSON.parse(process.argv[2]);
const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, env: wrapped.env, stdio: 'ignore' });
child.on('spawn', () => process.stdout.write('spawned\\n'));
setInterval(() => {}, 60_000);
`;


function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sandboxed processes do not outlive their owner', () => {
  test('bwrap: a sleeper dies when its parent node process is killed with SIGKILL', async ({ workspace, outside }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const marker = uniqueMarker();
    const wrapped = sandbox.wrap('bash', ['-c', `sleep 1000 & ${markedSleeper(marker)}`], { cwd: workspace, env: BASE_ENV });
    const script = join(outside, 'parent.mjs');
    writeFileSync(script, PARENT);
    const parent = spawn(process.execPath, [script, JSON.stringify(wrapped)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    const [sleeper] = await waitUntil('the sandboxed sleeper runs', () => {
      const pids = pidsWithMarker(marker);
      return pids.length > 0 && pids;
    });
    parent.kill('SIGKILL');
    await exited;
    await waitUntil(`sleeper ${sleeper} is gone`, () => !isAlive(sleeper!));
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  test('bwrap: aborting the signal kills the sandbox', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const marker = uniqueMarker();
    const controller = new AbortController();
    const child = sandbox.spawn('bash', ['-c', markedSleeper(marker)], { cwd: workspace, env: BASE_ENV, signal: controller.signal });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const [sleeper] = await waitUntil('the sleeper runs', () => pidsWithMarker(marker).length > 0 && pidsWithMarker(marker));
    controller.abort();
    expect(await exited).toBe('SIGTERM');
    await waitUntil('the sleeper is gone', () => !isAlive(sleeper!));
  });

  test('bwrap: dispose kills what is still running', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const marker = uniqueMarker();
    sandbox.spawn('bash', ['-c', markedSleeper(marker)], { cwd: workspace, env: BASE_ENV });
    const [sleeper] = await waitUntil('the sleeper runs', () => pidsWithMarker(marker).length > 0 && pidsWithMarker(marker));
    await sandbox.dispose();
    await waitUntil('the sleeper is gone', () => !isAlive(sleeper!));
  });

  test('host: abort kills the whole process group, background jobs included', async ({ workspace }) => {
    const sandbox = createSandbox('host', { workspace });
    const marker = uniqueMarker();
    const controller = new AbortController();
    const child = sandbox.spawn('bash', ['-c', `(${markedSleeper(marker)}) & wait`], { cwd: workspace, env: BASE_ENV, signal: controller.signal });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const [sleeper] = await waitUntil('the background sleeper runs', () => pidsWithMarker(marker).length > 0 && pidsWithMarker(marker));
    controller.abort();
    await exited;
    await waitUntil('the background sleeper is gone', () => !isAlive(sleeper!));
  });

  test('host: what a finished leader left in its group is swept; dispose ends the rest', async ({ workspace }) => {
    const sandbox = createSandbox('host', { workspace });
    const left = uniqueMarker();
    const leader = sandbox.spawn('bash', ['-c', `(${markedSleeper(left)}) & read line`], { cwd: workspace, env: BASE_ENV });
    const [leftover] = await waitUntil('the leftover runs', () => pidsWithMarker(left).length > 0 && pidsWithMarker(left));
    const leaderExited = new Promise((resolve) => leader.once('exit', resolve));
    leader.stdin!.end('go\n');
    await leaderExited;
    await waitUntil('the leftover is swept', () => !isAlive(leftover!));
    const running = uniqueMarker();
    sandbox.spawn('bash', ['-c', markedSleeper(running)], { cwd: workspace, env: BASE_ENV });
    const [sleeper] = await waitUntil('the sleeper runs', () => pidsWithMarker(running).length > 0 && pidsWithMarker(running));
    await sandbox.dispose();
    await waitUntil('the sleeper is gone', () => !isAlive(sleeper!));
  });
});

