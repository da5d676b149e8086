/**
 * Start-up: from spawn to the first `POST …/chat/completions` of `exec`, and
 * from spawn to the UI's first frame (its prompt box, in a real pseudo-terminal
 * through script(1)). Each launcher several times, the median reported, next to
 * the bare loop's spawn to first request (the machine's floor right now).
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
import { NODE_LAUNCHER, type Launcher } from './soak.js';

const BARE_LOOP = fileURLToPath(new URL('./bare-loop.js', import.meta.url));
/** The prompt box's placeholder: the UI's first frame is on screen. */
const FIRST_FRAME = 'what should the agent do?';

export interface StartupFigures {
  launcher: string;
  /** Spawn to the first chat request of `exec`, median of the runs, ms. */
  execMs: number;
  /** Spawn to the UI's prompt box, median, ms. */
  uiMs: number;
  execRunsMs: number[];
  uiRunsMs: number[];
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

/** Spawn to the first request the server receives; the process is then answered and awaited. */
async function toFirstRequest(server: ScriptedServer, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  let arrived = 0;
  server.respondWith(() => {
    arrived ||= performance.now();
    return { content: 'Hello.' };
  });
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !arrived) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-400)}`);
  return arrived - spawnedAt;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Spawn to the prompt box on a 120×40 pseudo-terminal; the UI is then killed. */
async function toFirstFrame(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const line = `stty cols 120 rows 40; exec ${[command, ...args].map(quote).join(' ')}`;
  const spawnedAt = performance.now();
  const child = spawn('script', ['-qfec', line, '/dev/null'], { cwd, env: { ...env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
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

export async function benchStartup(runs = 5, launchers: Launcher[] = [NODE_LAUNCHER]): Promise<StartupResult> {
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
      for (let i = 0; i < runs; i++) {
        exec.push(await toFirstRequest(server, launcher.command, [...launcher.args, 'exec', '--base-url', server.url, '--sandbox', 'host', '--cwd', ws, 'Say hello.'], env, ws));
        ui.push(await toFirstFrame(launcher.command, [...launcher.args, '--base-url', server.url, '--sandbox', 'host', '--cwd', ws], env, ws));
      }
      figures.push({ launcher: launcher.name, execMs: median(exec), uiMs: median(ui), execRunsMs: exec.map(Math.round), uiRunsMs: ui.map(Math.round) });
    }
    return { runs, bareLoopMs: median(bare), launchers: figures };
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchStartup(Number(process.argv[2] ?? 5));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
