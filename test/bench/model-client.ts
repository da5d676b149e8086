/**
 * Benchmark: the model client's own cost per streamed response. The scripted
 * server streams a 50-chunk answer (10 reasoning pieces, 40 content pieces, plus
 * the role, finish and usage chunks of the llama dialect) over real HTTP; overhead
 * is the wall time of one `stream()` to its finish event minus the time the server
 * spent producing that response. Each response is paired with the same request
 * by bare fetch (the machine's floor right now, useful on a loaded machine).
 * Also reports the heap after all responses (taken
 * before the render timing, which builds a 10,000-message history).
 *
 *   npm run build && node --expose-gc dist/test/bench/model-client.js [--responses N] [--chunks N]
 *
 * Run as main it prints the figures and writes bench-results/model-client.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createModelClient } from '../../src/model/client.js';
import { renderMessages } from '../../src/model/render.js';
import type { ChatMessage, ModelRequest } from '../../src/model/types.js';
import { startScriptedServer, type DialectName } from '../support/scripted-server.js';
import { percentile } from './stats.js';

export interface ModelClientBenchOptions {
  /** Measured responses. @default 1000 */
  responses?: number;
  /** Stream pieces per response (reasoning and content). @default 50 */
  chunks?: number;
  /** Unmeasured responses first (JIT warm-up). @default 100 */
  warmup?: number;
  /** @default 'llama' */
  dialect?: DialectName;
}

export interface ModelClientBenchResult {
  responses: number;
  chunks: number;
  dialect: DialectName;
  /** Median of (client wall time - server time) per response, ms. */
  overheadMedianMs: number;
  overheadP99Ms: number;
  /** Median wall time per response, server included, ms. */
  wallMedianMs: number;
  /** The same request by bare fetch, body read whole and not parsed, minus server time: the floor on this machine now. */
  fetchFloorMedianMs: number;
  /** Heap used after the measured responses (after a GC when --expose-gc), MB. */
  heapUsedMB: number;
  rssMB: number;
  /** renderMessages over a 10,000-message history: first call, then the median of 9 calls each after one appended message (cached). */
  render10kFirstMs: number;
  render10kCachedMs: number;
  gcForced: boolean;
  node: string;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export async function benchModelClient(options: ModelClientBenchOptions = {}): Promise<ModelClientBenchResult> {
  const responses = options.responses ?? 1000;
  const chunks = options.chunks ?? 50;
  const warmup = options.warmup ?? 100;
  const dialect = options.dialect ?? 'llama';
  const reasoningPieces = Math.max(1, Math.round(chunks / 5));
  const step = {
    reasoning: Array.from({ length: reasoningPieces }, (_, i) => `thought ${i} `),
    content: Array.from({ length: chunks - reasoningPieces }, (_, i) => `word${i} `),
    usage: { prompt: 1200, completion: chunks, cached: 1100 },
  };
  const server = await startScriptedServer({ dialect, keepRequests: 1 });
  server.respondWith(() => step);
  try {
    const client = await createModelClient({ baseURL: server.url, server: dialect, model: server.model, thinking: true });
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are endure, a coding agent.' },
      { role: 'user', content: 'Summarise the repository layout.' },
    ];
    const request: ModelRequest = { messages, tools: [] };
    const overheads: number[] = [];
    const walls: number[] = [];
    const floors: number[] = [];
    const rawBody = JSON.stringify({ model: server.model, messages, stream: true, stream_options: { include_usage: true } });
    for (let i = 0; i < warmup + responses; i++) {
      const started = performance.now();
      let finished = false;
      for await (const event of client.stream(request)) if (event.type === 'finish') finished = true;
      const wall = performance.now() - started;
      if (!finished) throw new Error('benchmark stream ended without a finish event');
      const serverMs = server.requests.at(-1)?.serverMs ?? 0;
      const floorStarted = performance.now();
      await (await fetch(`${server.url}/chat/completions`, { method: 'POST', body: rawBody, headers: { 'content-type': 'application/json' } })).text();
      const floor = performance.now() - floorStarted - (server.requests.at(-1)?.serverMs ?? 0);
      if (i < warmup) continue;
      walls.push(wall);
      overheads.push(wall - serverMs);
      floors.push(floor);
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = process.memoryUsage();
    const render = timeRender();
    overheads.sort((a, b) => a - b);
    walls.sort((a, b) => a - b);
    floors.sort((a, b) => a - b);
    return {
      responses,
      chunks,
      dialect,
      overheadMedianMs: round(percentile(overheads, 50)),
      overheadP99Ms: round(percentile(overheads, 99)),
      wallMedianMs: round(percentile(walls, 50)),
      fetchFloorMedianMs: round(percentile(floors, 50)),
      heapUsedMB: round(memory.heapUsed / 2 ** 20, 1),
      rssMB: round(memory.rss / 2 ** 20, 1),
      render10kFirstMs: round(render.first),
      render10kCachedMs: round(render.cached),
      gcForced: gc !== undefined,
      node: process.version,
    };
  } finally {
    await server.close();
  }
}

function longHistory(count: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are endure.' }, { role: 'user', content: 'Read every file.' }];
  for (let i = 0; messages.length < count; i++) {
    messages.push({
      role: 'assistant',
      content: '',
      reasoning: `Next file ${i}.`,
      tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'read_file', arguments: `{"path":"src/file-${i}.ts"}` } }],
    });
    messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: `export const value${i} = ${i};\n`.repeat(8) });
  }
  return messages;
}

function timeRender(): { first: number; cached: number } {
  const history = longHistory(10_000);
  let started = performance.now();
  renderMessages(history, 'vllm');
  const first = performance.now() - started;
  const cached: number[] = [];
  for (let i = 0; i < 9; i++) {
    history.push({ role: 'assistant', content: `done ${i}` });
    started = performance.now();
    renderMessages(history, 'vllm');
    cached.push(performance.now() - started);
  }
  return { first, cached: percentile(cached.sort((a, b) => a - b), 50) };
}

function flag(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : Number(process.argv[index + 1]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const responses = flag('--responses');
  const chunks = flag('--chunks');
  const result = await benchModelClient({
    ...(responses === undefined ? {} : { responses }),
    ...(chunks === undefined ? {} : { chunks }),
  });
  console.log(
    `model client: ${result.responses} responses of ${result.chunks} chunks (${result.dialect}): overhead median ${result.overheadMedianMs} ms, p99 ${result.overheadP99Ms} ms; wall median ${result.wallMedianMs} ms; bare fetch ${result.fetchFloorMedianMs} ms; heap ${result.heapUsedMB} MB${result.gcForced ? ' after GC' : ' (no --expose-gc)'}, rss ${result.rssMB} MB; render of 10,000 messages ${result.render10kFirstMs} ms, then ${result.render10kCachedMs} ms cached`,
  );
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model-client.json'), `${JSON.stringify(result, null, 2)}\n`);
}
