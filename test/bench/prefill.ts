/**
 * The prefill benchmark: what a local llama-server must process of each prompt,
 * as the scripted server computes it (longest common prefix with the chosen
 * slot's cached tokens, the way llama-server does). One session of N calls
 * (default 300) with compactions, killed at 2/3, the server restarted (its slot
 * files kept), resumed without a new message to the end, then resumed with a
 * follow-up message. Run with and without slot saving, and with Qwen3's
 * template and Qwen3.6's (which endure drives with preserve_thinking).
 *
 *   node dist/test/bench/prefill.js [N]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedServer, type ChatTemplate, type ReceivedRequest, type ScriptedServer, type Step } from '../support/scripted-server.js';
import { median } from './stats.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Scenario {
  name: string;
  slotSave: boolean;
  template: ChatTemplate;
}

interface Share {
  prompt: number;
  processed: number;
  cachedShare: number;
}

export interface PrefillResult {
  scenario: string;
  calls: number;
  requests: number;
  compactions: number;
  /** Prompt tokens sent over the whole session, and how many the server had to process. */
  sent: number;
  processed: number;
  /** The minimum: each request's tokens beyond its prefix shared with the previous request's prompt and answer (one slot, never lost). */
  minimum: number;
  processedOverMinimum: number;
  compactionRequests: Share[];
  firstRequestAfterRestart: Share;
  followUp: Share;
  saves: { count: number; medianMs: number; medianBytes: number; medianTokens: number };
  restore?: { ms: number; bytes: number; tokens: number };
}

const share = (prompt: number, processed: number): Share => ({ prompt, processed, cachedShare: Math.round((1000 * (prompt - processed)) / Math.max(1, prompt)) / 1000 });

function isCompaction(request: ReceivedRequest): boolean {
  return request.body.tool_choice === 'none' || request.body.tools === undefined;
}

const SUMMARY = '<summary>\n- Read the files in order; nothing failed.\n</summary>\n<state>\n{"done": ["read files"], "remaining": ["read the rest"], "nextStep": "read the next file"}\n</state>';

/** Reads small files, one call a turn, with a line of reasoning; hangs once at `killAt` calls; answers at `calls`. */
function model(calls: number, killAt: number, onHang: () => void): (request: ReceivedRequest) => Step {
  let made = 0;
  let hung = false;
  return (request) => {
    if (isCompaction(request)) return { content: SUMMARY };
    const last = (request.body.messages as { role: string; content: string }[]).at(-1)!;
    if (last.role === 'user' && last.content === 'One more thing: count the files.') return { reasoning: 'Count them.', content: 'There are 12 files.' };
    if (made === killAt && !hung) {
      hung = true;
      onHang();
      return { type: 'hang' };
    }
    if (made >= calls) return { content: 'Read every file.' };
    made += 1;
    return { reasoning: `Next I read file ${made % 12}.`, toolCalls: [{ id: `call_${made}`, name: 'read_file', arguments: { path: `src/f${made % 12}.txt` } }] };
  };
}

function exec(args: string[], env: NodeJS.ProcessEnv): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, 'exec', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { done, kill: () => child.kill('SIGKILL') };
}

/** The ideal: each request's tokens beyond the longest prefix shared with anything processed before. */
function minimumOf(server: ScriptedServer): number {
  return server.kv!.log.reduce((sum, entry) => sum + (entry.promptTokens - entry.ideal), 0);
}

async function runScenario(scenario: Scenario, calls: number): Promise<PrefillResult> {
  const dir = mkdtempSync(join(tmpdir(), 'endure-prefill-'));
  try {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'src'), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(repo, 'src', `f${i}.txt`), `file ${i}\n${'a line of text in the file\n'.repeat(6)}`);
    mkdirSync(join(dir, 'config', 'endure'), { recursive: true });
    // A save every 50 ms of model time: a long run saves every few minutes; this one is short.
    writeFileSync(join(dir, 'config', 'endure', 'config.json'), JSON.stringify({ slotSave: { enabled: scenario.slotSave, everyMinutes: 50 / 60_000 } }));
    const server = await startScriptedServer({
      contextWindow: 28_672,
      keepRequests: 10_000,
      llama: { template: scenario.template, trackIdeal: true, kvBytesPerToken: 288, ...(scenario.slotSave ? { slotSavePath: join(dir, 'slots') } : {}) },
    });
    const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), ENDURE_HOME: join(dir, 'home') };
    const flags = ['--base-url', server.url, '--cwd', repo, '--sandbox', 'host'];
    try {
      let kill = () => {};
      const hung = new Promise<void>((resolve) => server.respondWith(model(calls, Math.floor((2 * calls) / 3), () => resolve())));
      const first = exec([...flags, 'Read every file under src/, one at a time.'], env);
      kill = first.kill;
      await Promise.race([hung, first.done]);
      kill();
      await first.done;
      server.restart();
      const beforeResume = server.requestCount;
      const sessionId = readdirSync(join(dir, 'home', 'sessions'))[0]!;
      const resumed = await exec([...flags, '--resume', sessionId], env).done;
      if (resumed !== 0) throw new Error(`the resume exited ${resumed}`);
      const beforeFollowUp = server.requestCount;
      const more = await exec([...flags, '--resume', sessionId, 'One more thing: count the files.'], env).done;
      if (more !== 0) throw new Error(`the follow-up exited ${more}`);

      const log = server.kv!.log;
      const requests = server.requests;
      const compactionRequests = log.filter((_, i) => isCompaction(requests[i]!)).map((entry) => share(entry.promptTokens, entry.processed));
      const afterRestart = log[beforeResume]!;
      const followUp = log[beforeFollowUp]!;
      const journal = readFileSync(join(dir, 'home', 'sessions', sessionId, 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>);
      const saves = journal.filter((record) => record.kind === 'slot' && record.action === 'save');
      const restore = journal.find((record) => record.kind === 'slot' && record.action === 'restore');
      const sent = log.reduce((sum, entry) => sum + entry.promptTokens, 0);
      const processed = log.reduce((sum, entry) => sum + entry.processed, 0);
      const minimum = minimumOf(server);
      if (process.env.PREFILL_DEBUG)
        log.forEach((entry, i) => {
          const excess = entry.processed - (entry.promptTokens - entry.ideal);
          if (excess > 100) process.stderr.write(`#${i} slot ${entry.slot} ${isCompaction(requests[i]!) ? 'compaction' : 'main'} prompt ${entry.promptTokens} processed ${entry.processed} ideal-cached ${entry.ideal}\n`);
        });
      return {
        scenario: scenario.name,
        calls,
        requests: log.length,
        compactions: journal.filter((record) => record.kind === 'compaction').length,
        sent,
        processed,
        minimum,
        processedOverMinimum: Math.round((1000 * processed) / Math.max(1, minimum)) / 1000,
        compactionRequests,
        firstRequestAfterRestart: share(afterRestart.promptTokens, afterRestart.processed),
        followUp: share(followUp.promptTokens, followUp.processed),
        saves: {
          count: saves.length,
          medianMs: Math.round(1000 * median(saves.map((record) => record.ms))) / 1000,
          medianBytes: median(saves.map((record) => record.bytes)),
          medianTokens: median(saves.map((record) => record.tokens)),
        },
        ...(restore ? { restore: { ms: Math.round(1000 * restore.ms) / 1000, bytes: restore.bytes, tokens: restore.tokens } } : {}),
      };
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPrefill(calls = 300): Promise<PrefillResult[]> {
  const scenarios: Scenario[] = [
    { name: 'qwen3 template, slot saving on', slotSave: true, template: 'qwen3' },
    { name: 'qwen3 template, no slot saving', slotSave: false, template: 'qwen3' },
    { name: 'qwen3.6 template (preserve_thinking), slot saving on', slotSave: true, template: 'qwen3.6' },
  ];
  const results: PrefillResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, calls));
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await benchPrefill(Number(process.argv[2] ?? 300));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
