/**
 * Sandbox overhead: a shell call (`bash -c true`, spawned through the sandbox and
 * waited for) inside bwrap vs on the host, and the start-up of a built-in tool
 * server (spawn to the first tools/list answer over stdio) inside bwrap vs on the
 * host. Run: `npm run build && node dist/test/bench/sandbox.js`; writes
 * bench-results/sandbox.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createSandbox } from '../../sandboxes/index.js';
import type { Sandbox } from '../../sandboxes/types.js';

export interface Stats {
  runs: number;
  medianMs: number;
  p99Ms: number;
  minMs: number;
}

export interface SandboxBenchResult {
  shellCall: { host: Stats; bwrap: Stats; overheadMedianMs: number };
  toolServerStartup: { server: string; host: Stats; bwrap: Stats; overheadMedianMs: number };
  machine: { cores: number; loadAverage: number[]; node: string };
}

export interface SandboxBenchOptions {
  /** @default 200 */
  shellRuns?: number;
  /** @default 10 */
  startupRuns?: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FS_SERVER = join(repoRoot, 'dist', 'tools', 'fs', 'server.js');
/**
 * HOME is an empty directory on both sides: bash run with socket stdio (as Node's
 * pipes are) sources ~/.bashrc, which would make the host figure measure the user's
 * shell start-up rather than the sandbox (bwrap gives HOME its own empty directory).
 */
function benchEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: home };
}

export async function runSandboxBench(options: SandboxBenchOptions = {}): Promise<SandboxBenchResult> {
  if (!existsSync(FS_SERVER)) throw new Error(`${FS_SERVER} is missing; run npm run build first`);
  const workspace = mkdtempSync(join(tmpdir(), 'endure-bench-'));
  const env = benchEnv(mkdtempSync(join(tmpdir(), 'endure-bench-home-')));
  const host = createSandbox('host', { workspace });
  const bwrap = createSandbox('bwrap', { workspace });
  try {
    await bwrap.prepare();
    const shell = { host: [] as number[], bwrap: [] as number[] };
    for (let run = 0; run < (options.shellRuns ?? 200); run++) {
      shell.host.push(await shellCall(host, workspace, env));
      shell.bwrap.push(await shellCall(bwrap, workspace, env));
    }
    const startup = { host: [] as number[], bwrap: [] as number[] };
    for (let run = 0; run < (options.startupRuns ?? 10); run++) {
      startup.host.push(await serverStartup(host, workspace, env));
      startup.bwrap.push(await serverStartup(bwrap, workspace, env));
    }
    const shellStats = { host: stats(shell.host), bwrap: stats(shell.bwrap) };
    const startupStats = { host: stats(startup.host), bwrap: stats(startup.bwrap) };
    return {
      shellCall: { ...shellStats, overheadMedianMs: round(shellStats.bwrap.medianMs - shellStats.host.medianMs) },
      toolServerStartup: {
        server: 'node dist/tools/fs/server.js --root DIR (the built-in fs server)',
        ...startupStats,
        overheadMedianMs: round(startupStats.bwrap.medianMs - startupStats.host.medianMs),
      },
      machine: { cores: availableParallelism(), loadAverage: loadavg().map(round), node: process.version },
    };
  } finally {
    await host.dispose();
    await bwrap.dispose();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(env.HOME!, { recursive: true, force: true });
  }
}

async function shellCall(sandbox: Sandbox, workspace: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = sandbox.spawn('bash', ['-c', 'true'], { cwd: workspace, env });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) throw new Error(`bash -c true exited with ${code} in the ${sandbox.kind} sandbox`);
  return performance.now() - started;
}

async function serverStartup(sandbox: Sandbox, workspace: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const wrapped = sandbox.wrap(process.execPath, [FS_SERVER, '--root', workspace], { cwd: workspace, env });
  const transport = new StdioClientTransport({ ...wrapped, stderr: 'ignore' });
  const client = new Client({ name: 'endure-bench', version: '0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  const elapsed = performance.now() - started;
  await client.close();
  if (tools.length === 0) throw new Error('the fs server listed no tools');
  return elapsed;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { runs: sorted.length, medianMs: round(at(0.5)), p99Ms: round(at(0.99)), minMs: round(sorted[0]!) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await runSandboxBench();
  const out = join(repoRoot, 'bench-results', 'sandbox.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
