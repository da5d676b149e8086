/**
 * The soak benchmark: the real `endure exec` process against the scripted
 * server over real HTTP, with the real tool servers (host sandbox) and a
 * realistic mix of calls (reads, edits, greps, globs, shell commands, large
 * outputs), for N tool calls. It measures what issue 6 asks: per-turn runtime
 * overhead early and late, peak RSS, journal bytes per turn, resume time,
 * prefix stability between compactions, the first request's size, and the
 * number of compactions.
 *
 * Next to endure it can run the bare loop (bare-loop.ts) on the same plan
 * and server, the floor to read endure's figures against on a loaded machine.
 *
 *   node dist/test/bench/soak.js [N] [realistic|reads] [bare]   (N defaults to 1000)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startScriptedServer, type ReceivedRequest, type Step } from '../support/scripted-server.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BARE_LOOP = fileURLToPath(new URL('./bare-loop.js', import.meta.url));

/** How to start endure: the command and its first arguments, before `exec …`. Defaults to `node dist/src/cli/main.js`, no V8 flags. */
export type Launcher = { command: string; args: string[]; name: string; env?: NodeJS.ProcessEnv };
export const NODE_LAUNCHER: Launcher = { name: 'node dist/src/cli/main.js', command: process.execPath, args: [CLI] };

export interface SoakOptions {
  mix?: 'realistic' | 'reads';
  /** `bare`: the dependency-free loop instead of endure (no resume, no journal). */
  client?: 'endure' | 'bare';
  launcher?: Launcher;
}

export interface SoakResult {
  toolCalls: number;
  mix: 'realistic' | 'reads';
  client: string;
  exitCode: number | null;
  wallMs: number;
  startupMs: number;
  /** (wall − server time) / calls: what the runtime costs per turn, start-up and exit included. */
  overheadPerTurnMs: number;
  /** CPU time (user + system) of endure's own process / calls, start-up included: less sensitive to the machine's load than wall time. */
  cpuPerTurnMs?: number;
  /** Median gap (server's end of one response → next request) per tenth of the calls, first to last. */
  gapByTenthMs: number[];
  overheadMs: { first: { median: number; p99: number }; last: { median: number; p99: number }; all: { median: number; p99: number } };
  /** Peak of the summed RSS of the process and all its descendants, sampled every 100 ms. */
  peakRssMb: number;
  rssMb: { atTenPercent: number; atEnd: number };
  heapUsedMb?: number;
  /** Listeners left on the run's AbortSignal at the end: a leak shows here as one per call. */
  abortListenersAtEnd?: number;
  journal?: { bytes: number; bytesPerTurnAt10: number; bytesPerTurnAt1000?: number; bytesPerTurnLast: number };
  resumeMs?: number;
  /** Peak RSS of the resumed process tree (it reads and folds the whole journal), MB. */
  resumePeakRssMb?: number;
  prefix: { pairs: number; extending: number; minRatio: number; breaksAtCompaction: number };
  firstRequest: { bytes: number; systemAndToolsBytes: number; estimatedTokens: number };
  compactions: number;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** A compaction's summary request: no tools, or (keeping the main prefix) the loop's tools with tool_choice none. */
function isCompaction(request: ReceivedRequest): boolean {
  return !request.body.tools || request.body.tool_choice === 'none';
}

/** The scripted model: a fixed plan of varied calls, then an answer; compaction requests get a summary. */
function plan(total: number, mix: 'realistic' | 'reads'): (request: ReceivedRequest) => Step {
  let calls = 0;
  let counter = 0;
  return (request) => {
    if (isCompaction(request)) {
      return {
        content: '<summary>\n- Worked through the soak plan: reads, edits, greps, shell commands.\n</summary>\n<state>{"done":["soak steps so far"],"remaining":["the rest of the plan"],"nextStep":"continue the plan"}</state>',
      };
    }
    if (calls >= total) return { content: `Finished all ${total} steps.` };
    const i = calls++;
    const file = `src/file${i % 20}.txt`;
    if (mix === 'reads') return { toolCalls: [{ name: 'read_file', arguments: { path: file, offset: 1 + (i % 7) } }] };
    switch (i % 8) {
      case 0:
      case 7:
        return { toolCalls: [{ name: 'read_file', arguments: { path: file } }] };
      case 1:
        return { toolCalls: [{ name: 'grep', arguments: { pattern: `needle${i % 5}` } }] };
      case 2:
        return { toolCalls: [{ name: 'edit_file', arguments: { path: 'notes.txt', old_string: `count=${counter}`, new_string: `count=${++counter}` } }] };
      case 3:
        return { toolCalls: [{ name: 'run_shell', arguments: { command: `echo step ${i}` } }] };
      case 4:
        return { toolCalls: [{ name: 'glob', arguments: { pattern: `**/file${i % 10}*.txt` } }] };
      case 5:
        return { toolCalls: [{ name: 'write_file', arguments: { path: `out/${i % 50}.txt`, content: `written at step ${i}\n`.repeat(20) } }] };
      default:
        return { toolCalls: [{ name: 'run_shell', arguments: { command: `seq 1 ${4000 + (i % 100)}` } }] };
    }
  };
}

function makeWorkspace(root: string): string {
  const ws = join(root, 'ws');
  mkdirSync(join(ws, 'src'), { recursive: true });
  for (let i = 0; i < 20; i++)
    writeFileSync(join(ws, 'src', `file${i}.txt`), Array.from({ length: 60 }, (_, line) => `line ${line} needle${line % 5} of file ${i}`).join('\n'));
  writeFileSync(join(ws, 'notes.txt'), 'count=0\n');
  return ws;
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Direct children of every thread of `pid` (Linux 3.5+: /proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** npm, npx and the shell they start endure through: launchers, not endure. */
function isLauncher(pid: number): boolean {
  try {
    const [first = '', second = ''] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    return [first, second].some((word) => /(^|\/)(npm|npx|npm-cli\.js|npx-cli\.js|sh)$/.test(word));
  } catch {
    return false;
  }
}

/**
 * RSS of the process tree rooted at `pid`, in MB, leaving out the launchers
 * above endure (npm, npx, their shell) but counting everything endure starts;
 * undefined once the root is gone.
 */
export function treeRssMb(pid: number): number | undefined {
  if (rssKb(pid) === 0) return undefined;
  let kb = 0;
  const pending: [number, boolean][] = [[pid, false]];
  while (pending.length) {
    const [next, insideEndure] = pending.pop()!;
    const counted = insideEndure || !isLauncher(next);
    if (counted) kb += rssKb(next);
    for (const child of childrenOf(next)) pending.push([child, counted]);
  }
  return kb / 1024;
}

interface RunOutcome {
  code: number | null;
  stderr: string;
  spawnedAt: number;
  rssSamples: { at: number; mb: number }[];
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
    });
    const rssSamples: { at: number; mb: number }[] = [];
    const sampler = setInterval(() => {
      const mb = child.pid ? treeRssMb(child.pid) : undefined;
      if (mb !== undefined) rssSamples.push({ at: performance.now(), mb });
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ code, stderr, spawnedAt, rssSamples });
    });
  });
}

/** Mean journal bytes of the 8 turns (one cycle of the plan's mix) starting at `turn`. */
function meanAt(perTurn: number[], turn: number): number {
  const window = perTurn.slice(turn, turn + 8);
  return window.length ? Math.round(window.reduce((a, b) => a + b, 0) / window.length) : 0;
}

function journalFigures(home: string): SoakResult['journal'] {
  const [id] = readdirSync(join(home, 'sessions'));
  const lines = readFileSync(join(home, 'sessions', id!, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
  const perTurn: number[] = [];
  let current = 0;
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    bytes += size;
    if (line.includes('"kind":"assistant"') && current > 0) {
      perTurn.push(current);
      current = 0;
    }
    current += size;
  }
  return {
    bytes,
    bytesPerTurnAt10: meanAt(perTurn, 8),
    ...(perTurn.length > 1008 ? { bytesPerTurnAt1000: meanAt(perTurn, 1000) } : {}),
    bytesPerTurnLast: meanAt(perTurn, Math.max(0, perTurn.length - 9)),
  };
}

/**
 * @param mix `realistic`: reads, edits, greps, globs, shell commands and large outputs;
 *   `reads`: read_file only, the workload the targets table compares peers on.
 */
export async function benchSoak(toolCalls = 1000, options: SoakOptions | SoakOptions['mix'] = {}): Promise<SoakResult> {
  const { mix = 'realistic', client = 'endure', launcher = NODE_LAUNCHER } = typeof options === 'string' ? { mix: options } : options;
  const root = mkdtempSync(join(tmpdir(), 'endure-soak-'));
  const server = await startScriptedServer({ dialect: 'llama', contextWindow: 32_768, keepRequests: 2 });
  try {
    const ws = makeWorkspace(root);
    const home = join(root, 'home');
    const env = { ...(launcher.env ?? process.env), ENDURE_HOME: home, ENDURE_BENCH_STATS: '1' };
    const decide = plan(toolCalls, mix);
    const arrivals: number[] = [];
    const ends: number[] = [];
    let previous: ReceivedRequest | undefined;
    let previousMessages = 0;
    const prefix = { pairs: 0, extending: 0, minRatio: 1, breaksAtCompaction: 0 };
    let compactions = 0;
    let firstRequest: SoakResult['firstRequest'] | undefined;
    server.respondWith((request) => {
      const now = performance.now();
      if (isCompaction(request)) {
        compactions++;
        return decide(request);
      }
      arrivals.push(now);
      if (previous?.serverMs !== undefined) ends.push(arrivals[arrivals.length - 2]! + previous.serverMs);
      firstRequest ??= (() => {
        const messages = request.body.messages as { role: string; content: string }[];
        const systemAndTools = Buffer.byteLength(JSON.stringify({ system: messages[0], tools: request.body.tools }));
        return { bytes: Buffer.byteLength(request.raw), systemAndToolsBytes: systemAndTools, estimatedTokens: Math.round(systemAndTools / 3.2) };
      })();
      const messages = (request.body.messages as unknown[]).length;
      if (previous) {
        const ratio = commonPrefix(previous.raw, request.raw) / previous.raw.length;
        if (messages < previousMessages) prefix.breaksAtCompaction++;
        else {
          prefix.pairs++;
          if (request.raw.startsWith(previous.raw.slice(0, previous.raw.length - 2))) prefix.extending++;
          prefix.minRatio = Math.min(prefix.minRatio, ratio);
        }
      }
      previous = request;
      previousMessages = messages;
      return decide(request);
    });

    const started = performance.now();
    const run =
      client === 'bare'
        ? await runProcess(process.execPath, [BARE_LOOP, server.url, ws, String(toolCalls + 5)], env, ws)
        : await runProcess(
            launcher.command,
            [...launcher.args, 'exec', '--base-url', server.url, '--sandbox', 'host', '--cwd', ws, '--max-tool-calls', String(toolCalls + 5), `Work through the soak plan of ${toolCalls} steps.`],
            env,
            ws,
          );
    const wallMs = performance.now() - started;
    if (run.code !== 0) throw new Error(`${client} exited with ${run.code}: ${run.stderr.slice(-500)}`);
    const serverMs = server.streamingMs;
    const gaps = ends.map((end, i) => arrivals[i + 1]! - end).filter((gap) => gap >= 0);
    const tenth = Math.max(1, Math.min(1000, Math.floor(gaps.length / 10)));
    const stats = /endure-bench-stats (\{.*\})/.exec(run.stderr)?.[1];
    const cliStats = stats ? (JSON.parse(stats) as { heapUsed: number; abortListeners?: number; cpuUs?: number }) : undefined;
    const heapUsedMb = cliStats ? cliStats.heapUsed / 1048576 : undefined;
    const samples = run.rssSamples;
    const at = (fraction: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * fraction))]?.mb ?? 0;

    const figures = {
      toolCalls,
      mix,
      client: client === 'bare' ? 'bare loop' : launcher.name,
      exitCode: run.code,
      wallMs: round(wallMs),
      startupMs: round(arrivals[0]! - run.spawnedAt),
      overheadPerTurnMs: round((wallMs - serverMs) / toolCalls),
      ...(cliStats?.cpuUs !== undefined ? { cpuPerTurnMs: round(cliStats.cpuUs / 1000 / toolCalls) } : {}),
      gapByTenthMs: Array.from({ length: 10 }, (_, i) => round(quantile(gaps.slice(Math.floor((i * gaps.length) / 10), Math.floor(((i + 1) * gaps.length) / 10)), 0.5))),
      overheadMs: {
        first: { median: round(quantile(gaps.slice(0, tenth), 0.5)), p99: round(quantile(gaps.slice(0, tenth), 0.99)) },
        last: { median: round(quantile(gaps.slice(-tenth), 0.5)), p99: round(quantile(gaps.slice(-tenth), 0.99)) },
        all: { median: round(quantile(gaps, 0.5)), p99: round(quantile(gaps, 0.99)) },
      },
      peakRssMb: round(Math.max(0, ...samples.map((sample) => sample.mb))),
      rssMb: { atTenPercent: round(at(0.1)), atEnd: round(at(0.98)) },
      ...(heapUsedMb !== undefined ? { heapUsedMb: round(heapUsedMb) } : {}),
      ...(cliStats?.abortListeners !== undefined ? { abortListenersAtEnd: cliStats.abortListeners } : {}),
      prefix: { ...prefix, minRatio: round(prefix.minRatio) },
      firstRequest: firstRequest!,
      compactions,
    };
    if (client === 'bare') return figures;

    const resumeArrival = new Promise<number>((resolve) => {
      server.respondWith(() => {
        resolve(performance.now());
        return { content: 'Nothing more to do.' };
      });
    });
    const resumeStart = performance.now();
    const resumed = await runProcess(launcher.command, [...launcher.args, 'exec', '--resume', 'last', '--base-url', server.url, '--sandbox', 'host', 'Check once more and stop.'], env, ws);
    if (resumed.code !== 0) throw new Error(`resume failed (${resumed.code}): ${resumed.stderr.slice(-500)}`);
    const resumeMs = (await resumeArrival) - resumeStart;

    const resumePeakRssMb = round(Math.max(0, ...resumed.rssSamples.map((sample) => sample.mb)));
    return { ...figures, journal: journalFigures(home), resumeMs: round(resumeMs), resumePeakRssMb };
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1000);
  const mix = process.argv[3] === 'reads' ? 'reads' : 'realistic';
  const client = process.argv[4] === 'bare' ? 'bare' : 'endure';
  const result = await benchSoak(n, { mix, client });
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(`bench-results/soak-${n}-${mix}${client === 'bare' ? '-bare' : ''}.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
