/**
 * Tool round-trip benchmark: what one read_file call costs through a real MCP
 * client, in-process (the SDK's in-memory transport, the host sandbox's fast
 * path) and over stdio (a child `node dist/tools/fs/server.js`), and how long a
 * stdio server takes from spawn to its first tools/list answer.
 *   node dist/test/bench/tool-roundtrip.js   (after `npm run build`; writes bench-results/tool-roundtrip.json)
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createFsServer } from '../../tools/fs/fs-server.js';

export interface LatencyFigures {
  calls: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

export interface ToolRoundtripResult {
  /** read_file of a 200-line file, 1,000 sequential calls after 100 warm-up calls. */
  inMemory: LatencyFigures;
  stdio: LatencyFigures;
  /** Spawn of `node dist/tools/fs/server.js` to the first tools/list response (initialize included), median of 10. */
  startupMedianMs: number;
  startupRunsMs: number[];
  node: string;
}

const SERVER_ENTRY = fileURLToPath(new URL('../../tools/fs/server.js', import.meta.url));

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function timeCalls(client: Client, calls: number, warmup: number): Promise<LatencyFigures> {
  const call = () => client.callTool({ name: 'read_file', arguments: { path: 'sample.ts' } });
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const result = await call();
    times.push(performance.now() - start);
    if (result.isError) throw new Error(`read_file failed during the benchmark: ${JSON.stringify(result.content)}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { calls, medianMs: round(quantile(sorted, 0.5)), p99Ms: round(quantile(sorted, 0.99)), meanMs: round(mean) };
}

function stdioTransport(root: string): StdioClientTransport {
  return new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY, '--root', root], stderr: 'ignore' });
}

/** Runs the benchmark in a temp workspace and returns the figures. */
export async function benchToolRoundtrip(options: { calls?: number; warmup?: number; startups?: number } = {}): Promise<ToolRoundtripResult> {
  const { calls = 1000, warmup = 100, startups = 10 } = options;
  const root = mkdtempSync(join(tmpdir(), 'endure-bench-tools-'));
  try {
    const lines = Array.from({ length: 200 }, (_, i) => `export const value${i} = ${i}; // line ${i + 1} of a typical source file`);
    writeFileSync(join(root, 'sample.ts'), `${lines.join('\n')}\n`);

    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createFsServer({ root }).connect(serverSide);
    const inProcess = new Client({ name: 'bench', version: '0.0.0' });
    await inProcess.connect(clientSide);
    const inMemory = await timeCalls(inProcess, calls, warmup);
    await inProcess.close();

    const overStdio = new Client({ name: 'bench', version: '0.0.0' });
    await overStdio.connect(stdioTransport(root));
    const stdio = await timeCalls(overStdio, calls, warmup);
    await overStdio.close();

    const startupRunsMs: number[] = [];
    for (let i = 0; i < startups; i++) {
      const start = performance.now();
      const client = new Client({ name: 'bench', version: '0.0.0' });
      await client.connect(stdioTransport(root));
      await client.listTools();
      startupRunsMs.push(round(performance.now() - start));
      await client.close();
    }
    const startupMedianMs = quantile([...startupRunsMs].sort((a, b) => a - b), 0.5);
    return { inMemory, stdio, startupMedianMs, startupRunsMs, node: process.version };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchToolRoundtrip();
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/tool-roundtrip.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    [
      `read_file round trip, ${result.inMemory.calls} calls after warm-up (${result.node}):`,
      `  in-memory  median ${result.inMemory.medianMs} ms  p99 ${result.inMemory.p99Ms} ms  mean ${result.inMemory.meanMs} ms`,
      `  stdio      median ${result.stdio.medianMs} ms  p99 ${result.stdio.p99Ms} ms  mean ${result.stdio.meanMs} ms`,
      `stdio server start-up to first tools/list: median ${result.startupMedianMs} ms of ${result.startupRunsMs.length}`,
      'written: bench-results/tool-roundtrip.json',
      '',
    ].join('\n'),
  );
}
