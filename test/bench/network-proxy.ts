/**
 * What the `--network allow=...` proxy adds to one HTTP request: a node client
 * inside bwrap makes sequential GETs (a new connection each) to a server on
 * 127.0.0.2, once directly (`--network on`) and once through the allow-list path
 * (forwarder inside, launcher outside, endure's proxy). Median and p99 of each,
 * and the difference of the medians.
 * Run: `npm run build && node dist/test/bench/network-proxy.js`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSandbox } from '../../sandboxes/index.js';
import { startAllowListProxy } from '../../sandboxes/network-proxy.js';

export interface ProxyBenchResult {
  requests: number;
  directMs: { median: number; p99: number };
  proxiedMs: { median: number; p99: number };
  addedMedianMs: number;
}

/** Runs inside the sandbox: N GETs, one connection each, directly or via HTTP_PROXY; prints the times as JSON. */
const CLIENT = `
const http = require('node:http');
const [url, count, viaProxy] = [process.argv[1], Number(process.argv[2]), process.argv[3] === 'proxy'];
const target = new URL(url);
const one = () => new Promise((resolve, reject) => {
  const start = performance.now();
  const options = viaProxy
    ? { host: '127.0.0.1', port: 3128, path: url, headers: { host: target.host }, agent: false }
    : { host: target.hostname, port: target.port, path: '/', agent: false };
  http.get(options, (response) => { response.resume(); response.on('end', () => resolve(performance.now() - start)); }).on('error', reject);
});
(async () => { const times = []; for (let i = 0; i < count; i++) times.push(await one()); process.stdout.write(JSON.stringify(times)); })();
`;

function stats(times: number[]): { median: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (fraction: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]! * 1000) / 1000;
  return { median: at(0.5), p99: at(0.99) };
}

async function timesIn(sandbox: ReturnType<typeof createSandbox>, workspace: string, url: string, count: number, mode: string): Promise<number[]> {
  const child = sandbox.spawn(process.execPath, ['-e', CLIENT, url, String(count), mode], { cwd: workspace, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the bench client failed (${code}): ${err}`);
  return (JSON.parse(out) as number[]).slice(10); // the first requests warm up
}

export async function benchNetworkProxy(requests = 300): Promise<ProxyBenchResult> {
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.2:${port}/`;
  const proxy = await startAllowListProxy({ allow: [{ host: '127.0.0.2', port }] });
  const workspace = mkdtempSync(join(tmpdir(), 'endure-bench-proxy-'));
  try {
    const direct = createSandbox('bwrap', { workspace, network: true });
    const proxied = createSandbox('bwrap', { workspace, proxy: proxy.socketPath });
    const directTimes = await timesIn(direct, workspace, url, requests + 10, 'direct');
    const proxiedTimes = await timesIn(proxied, workspace, url, requests + 10, 'proxy');
    await direct.dispose();
    await proxied.dispose();
    const directMs = stats(directTimes);
    const proxiedMs = stats(proxiedTimes);
    return { requests, directMs, proxiedMs, addedMedianMs: Math.round((proxiedMs.median - directMs.median) * 1000) / 1000 };
  } finally {
    await proxy.close();
    server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchNetworkProxy(), null, 2)}\n`);
}
