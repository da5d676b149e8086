/**
 * Test fixtures for the built-in tool servers, shared by the fs, shell and git
 * tests: a temp workspace that cleans up after itself, a real MCP client
 * connected in-memory or over stdio to a server, and the MCP Inspector CLI run
 * against a built server. Usage:
 *
 *   const test = toolServerTest;                       // vitest test with { workspace }
 *   test('reads', async ({ workspace }) => {
 *     const client = await connectInMemory(createFsServer({ root: workspace }));
 *     const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
 *     expect(resultText(result)).toBe('1\thello');
 *   });
 *
 *   const run = await runInspector(['fs', '--root', workspace], ['--method', 'tools/list']);
 *   expect(run.exitCode).toBe(0); run.json   // parsed stdout (--format json -q are added)
 *
 * Servers spawned over stdio come from dist/ (run `npm run build` first).
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServer } from '@modelcontextprotocol/server';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

/** The repository root (works from test/support and from dist/test/support). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The compiled stdio entry of a built-in server, e.g. dist/tools/fs/server.js. */
export function builtServerEntry(name: 'fs' | 'shell' | 'git'): string {
  const entry = join(REPO_ROOT, 'dist', 'tools', name, 'server.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing; run npm run build first`);
  return entry;
}

/** A fresh real temp directory (symlinks resolved), removed afterwards. */
export async function withTempDir<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** vitest `test` with `workspace` (a temp dir per test) and `outside` (a second one, for escape tests). */
export const toolServerTest = test.extend<{ workspace: string; outside: string }>({
  workspace: async ({}, use) => withTempDir('endure-ws-', use),
  outside: async ({}, use) => withTempDir('endure-outside-', use),
});

/** A client connected to `server` over the SDK's in-memory transport; close() closes both ends. */
export async function connectInMemory(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'endure-test', version: '0.0.0' });
  await client.connect(clientTransport);
  return client;
}

/** A client connected to a built server over real stdio: `node dist/tools/<name>/server.js ...args`. */
export async function connectStdio(name: 'fs' | 'shell' | 'git', args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [builtServerEntry(name), ...args], stderr: 'pipe' });
  const client = new Client({ name: 'endure-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

/** The text of a tool result's text blocks, joined by newlines. */
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.filter((block) => block.type === 'text').map((block) => block.text ?? '').join('\n');
}

export interface InspectorRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json: unknown;
}

const INSPECTOR_BIN = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

/**
 * Runs the MCP Inspector CLI against a built server over stdio, with HOME in a
 * temp dir (it stores state under ~/.mcp-inspector) and `--format json -q`.
 * Exit code 5 means the tool returned `isError`.
 * @param server `[name, ...serverArgs]`, e.g. `['fs', '--root', dir]`
 * @param inspectorArgs e.g. `['--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=a.txt']`
 */
export async function runInspector(server: ['fs' | 'shell' | 'git', ...string[]], inspectorArgs: string[]): Promise<InspectorRun> {
  const [name, ...serverArgs] = server;
  return withTempDir('endure-inspector-home-', (home) => {
    const args = [INSPECTOR_BIN, '--cli', process.execPath, builtServerEntry(name), ...serverArgs, ...inspectorArgs, '--format', 'json', '-q'];
    return new Promise<InspectorRun>((resolve) => {
      execFile(process.execPath, args, { env: { ...process.env, HOME: home }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolve({ exitCode, stdout, stderr, json });
      });
    });
  });
}
