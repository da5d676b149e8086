/**
 * Start-up: from spawn to the first `POST …/chat/completions` of `exec`, and
 * from spawn to the UI's first frame (its prompt box, in a real pseudo-terminal
 * through script(1)). Each launcher several times, the median reported, next to
 * the bare loop's spawn to first request (the machine's floor right now) and to
 * the launcher's own floor: the same launcher starting a no-op package installed
 * the same way (launchers.ts), spawn to exit, directly and through the same
 * pseudo-terminal, its runs interleaved with endure's so load spreads evenly.
 *
 *   node dist/test/bench/startup.js [runs]    (runs defaults to 5)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { prepareLaunchers, type FlooredLauncher } from './launchers.js';

const BARE_LOOP = fileURLToPath(new URL('./bare-loop.js', import.meta.url));
/** The prompt box's placeholder: the UI's first frame is on screen. */
const FIRST_FRAME = 'what should the agent do?';

export interface StartupFigures {
  launcher: string;
  /** Spawn to the first chat request of `exec`, median of the runs, ms. */
  execMs: number;
  /** Spawn to the UI's prompt box, median, ms. */
  uiMs: number;
  /** The launcher alone: spawn to exit of a no-op package started the same way, median, ms. exec's share is execMs − this. */
  launcherFloorMs: number;
  /** The same through the UI's pseudo-terminal (script(1) and stty cost too), median, ms. The UI's share is uiMs − this. */
  uiLauncherFloorMs: number;
  execRunsMs: number[];
  uiRunsMs: number[];
  launcherFloorRunsMs: number[];
  uiLauncherFloorRunsMs: number[];
}

export interface StartupResult {
  runs: number;
  /** The bare loop's spawn to first request, median, ms. */
  bareLoopMs: number;
  launchers: StartupFigures[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
};

/** Spawns the command and waits for it to exit 0; resolves to the spawn time (performance.now()). */
async function runToSuccess(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-400)}`);
  return spawnedAt;
}

/** Spawn to the first request the server receives; the process is then answered and awaited. */
async function toFirstRequest(server: ScriptedServer, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  let arrived = 0;
  server.respondWith(() => {
    arrived ||= performance.now();
    return { content: 'Hello.' };
  });
  const spawnedAt = await runToSuccess(command, args, env, cwd);
  if (!arrived) throw new Error(`${command} ${args.join(' ')} exited without a request`);
  return arrived - spawnedAt;
}

/** Spawn to exit of a program that exits 0 by itself. */
export async function toExit(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const spawnedAt = await runToSuccess(command, args, env, cwd);
  return performance.now() - spawnedAt;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** script(1) running the command on a 120×40 pseudo-terminal: the UI's harness. */
const inTerminal = (command: string, args: string[]) => ['-qfec', `stty cols 120 rows 40; exec ${[command, ...args].map(quote).join(' ')}`, '/dev/null'];
/** A person's terminal: no CI variables, under which Ink draws only the last frame (is-in-ci), so the first never shows. */
const terminalEnv = (env: NodeJS.ProcessEnv) => ({
  ...Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'))),
  TERM: 'xterm-256color',
});

/** Spawn to exit of a program that exits 0 by itself, through the UI's pseudo-terminal. */
export function toExitInTerminal(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return toExit('script', inTerminal(command, args), terminalEnv(env), cwd);
}

/** Spawn to the prompt box on a 120×40 pseudo-terminal; the UI is then killed. */
async function toFirstFrame(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const spawnedAt = performance.now();
  const child = spawn('script', inTerminal(command, args), { cwd, env: terminalEnv(env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let screen = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (screen.includes(FIRST_FRAME)) resolve(performance.now() - spawnedAt);
      });
      child.on('error', reject);
      child.on('close', (code) => reject(new Error(`the UI exited (${code}) before its first frame: ${screen.slice(-400)}`)));
    });
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function benchStartup(runs: number, launchers: FlooredLauncher[]): Promise<StartupResult> {
  const root = mkdtempSync(join(tmpdir(), 'endure-startup-'));
  const server = await startScriptedServer({ dialect: 'llama', contextWindow: 32_768, keepRequests: 2 });
  try {
    const ws = join(root, 'ws');
    mkdirSync(ws);
    writeFileSync(join(ws, 'README.md'), '# a project\n');
    const home = join(root, 'home');
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) bare.push(await toFirstRequest(server, process.execPath, [BARE_LOOP, server.url, ws, '0'], process.env, ws));
    const figures: StartupFigures[] = [];
    for (const launcher of launchers) {
      const env = { ...(launcher.env ?? process.env), ENDURE_HOME: home };
      const exec: number[] = [];
      const ui: number[] = [];
      const floor: number[] = [];
      const uiFloor: number[] = [];
      const { floor: noop } = launcher;
      const noopEnv = noop.env ?? process.env;
      for (let i = 0; i < runs; i++) {
        exec.push(await toFirstRequest(server, launcher.command, [...launcher.args, 'exec', '--base-url', server.url, '--sandbox', 'host', '--cwd', ws, 'Say hello.'], env, ws));
        floor.push(await toExit(noop.command, noop.args, noopEnv, ws));
        ui.push(await toFirstFrame(launcher.command, [...launcher.args, '--base-url', server.url, '--sandbox', 'host', '--cwd', ws], env, ws));
        uiFloor.push(await toExitInTerminal(noop.command, noop.args, noopEnv, ws));
      }
      figures.push({
        launcher: launcher.name,
        execMs: median(exec),
        uiMs: median(ui),
        launcherFloorMs: median(floor),
        uiLauncherFloorMs: median(uiFloor),
        execRunsMs: exec.map(Math.round),
        uiRunsMs: ui.map(Math.round),
        launcherFloorRunsMs: floor.map(Math.round),
        uiLauncherFloorRunsMs: uiFloor.map(Math.round),
      });
    }
    return { runs, bareLoopMs: median(bare), launchers: figures };
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const launchers = prepareLaunchers('node');
  try {
    const result = await benchStartup(Number(process.argv[2] ?? 5), launchers.all);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    launchers.dispose();
  }
}
