/**
 * Subagents: the wall time of 4 read children run in parallel against the same
 * 4 run one after another (--max-agents 1), with a scripted server that takes
 * 200 ms per answer; the overhead of starting a child (the parent's task
 * tool_start event to the child's first request at the server); and the share
 * of a child's first prompt that llama-server's prompt cache (played by the
 * scripted server: 4 slots, longest common prefix) already held.
 *
 *   BENCH=subagents npm run bench     or     node dist/test/bench/subagents.js
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readJournal } from '../../sessions/journal-reader.js';
import { agentScripts, routeOf } from '../support/agent-scripts.js';
import { startScriptedServer } from '../support/scripted-server.js';
import { median } from './stats.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CHILDREN = 4;
const ANSWER_MS = 200;

export interface SubagentsRun {
  /** Spawn to exit. */
  wallMs: number;
  /** The parent's first request to exit: the wall time without start-up. */
  fromFirstRequestMs: number;
  /** Parent's task tool_start → that child's first request, per child (ms). */
  startOverheadMs: number[];
  /** Per child: cached / prompt tokens of its first request, as the server reported them. */
  firstPromptCached: number[];
}

export interface SubagentsResult {
  answerMs: number;
  children: number;
  parallel: SubagentsRun;
  sequential: SubagentsRun;
  speedup: number;
  startOverheadMedianMs: number;
  firstPromptCachedMedian: number;
}

/** A git repository holding `files`. */
function makeRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
  return dir;
}

const round = (value: number) => Math.round(value * 10) / 10;

async function runOnce(maxAgents: number): Promise<SubagentsRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'endure-bench-agents-'));
  const server = await startScriptedServer({ llama: { slots: 4 }, keepRequests: 1000 });
  try {
    const files = Object.fromEntries(Array.from({ length: CHILDREN }, (_, i) => [`part${i}.txt`, `part ${i}\n`]));
    const repo = makeRepo(join(scratch, 'repo'), files);
    const prompts = Array.from({ length: CHILDREN }, (_, i) => `Read part${i}.txt and report its first line.`);
    const firstRequestAt = new Map<string, number>();
    const model = agentScripts({
      answerDelayMs: ANSWER_MS,
      parent: [
        { toolCalls: prompts.map((prompt, i) => ({ name: 'task', arguments: { description: `part ${i}`, prompt } })) },
        { content: 'All parts reported.' },
      ],
      children: Object.fromEntries(prompts.map((prompt, i) => [prompt, [{ toolCalls: [{ name: 'read_file', arguments: { path: `part${i}.txt` } }] }, { content: `part ${i}` }]])),
    });
    let firstRequest = 0;
    server.respondWith((request) => {
      firstRequest ||= performance.now();
      const route = routeOf(request, prompts);
      if (route !== 'parent' && !firstRequestAt.has(route)) firstRequestAt.set(route, Date.now());
      return model.decide(request);
    });
    const home = join(scratch, 'home');
    mkdirSync(join(scratch, 'user-home'), { recursive: true });
    const args = ['exec', '--base-url', server.url, '--cwd', repo, '--sandbox', 'host', '--max-agents', String(maxAgents), '--output-format', 'stream-json', 'Report every part.'];
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(scratch, 'user-home'), ENDURE_HOME: home, ENDURE_API_KEY: 'sk-bench-subagents', LANG: 'C.UTF-8' };
    const started = performance.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`endure exited ${code}: ${err}`))));
    });
    const ended = performance.now();
    const wallMs = ended - started;

    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    const taskStarts = new Map<string, number>();
    for (const event of events) {
      if (event.type === 'tool_start' && event.name === 'task' && event.agent_id === undefined) taskStarts.set(JSON.parse(event.arguments).prompt as string, event.time as number);
    }
    const startOverheadMs = prompts.map((prompt) => firstRequestAt.get(prompt)! - taskStarts.get(prompt)!);

    const session = readdirSync(join(home, 'sessions'))[0]!;
    const agentsDir = join(home, 'sessions', session, 'agents');
    const firstPromptCached = readdirSync(agentsDir).map((id) => {
      const first = readJournal(join(agentsDir, id, 'journal.jsonl')).records.find((record) => record.kind === 'assistant');
      const usage = first?.kind === 'assistant' ? first.usage : undefined;
      return usage && usage.promptTokens > 0 ? (usage.cachedTokens ?? 0) / usage.promptTokens : 0;
    });
    return { wallMs: round(wallMs), fromFirstRequestMs: round(ended - firstRequest), startOverheadMs, firstPromptCached: firstPromptCached.map((share) => Math.round(share * 1000) / 1000) };
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function benchSubagents(): Promise<SubagentsResult> {
  const parallel = await runOnce(CHILDREN);
  const sequential = await runOnce(1);
  const overheads = [...parallel.startOverheadMs];
  return {
    answerMs: ANSWER_MS,
    children: CHILDREN,
    parallel,
    sequential,
    speedup: Math.round((sequential.fromFirstRequestMs / parallel.fromFirstRequestMs) * 100) / 100,
    startOverheadMedianMs: median(overheads),
    firstPromptCachedMedian: median([...parallel.firstPromptCached, ...sequential.firstPromptCached]),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchSubagents();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
