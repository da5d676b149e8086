/**
 * Shared fixtures for the MCP tests: temp dirs, hosts that close themselves,
 * and a log recorder that can be awaited for a line (no sleeps).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base } from 'vitest';
import type { HostLogEntry } from '../../src/mcp/host-types.js';
import { createToolHost, type McpToolHost, type ToolHostOptions } from '../../src/mcp/host.js';

export const FIXTURE_SERVER = resolve('test/support/mcp-servers/fixture-server.mjs');
export const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM = resolve('node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

export class LogRecorder {
  readonly entries: HostLogEntry[] = [];
  private waiters: { match: (entry: HostLogEntry) => boolean; resolve: (entry: HostLogEntry) => void }[] = [];
  readonly log = (entry: HostLogEntry): void => {
    this.entries.push(entry);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(entry)) return true;
      waiter.resolve(entry);
      return false;
    });
  };
  waitFor(match: (entry: HostLogEntry) => boolean): Promise<HostLogEntry> {
    const found = this.entries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

interface Fixtures {
  tempDir: string;
  makeHost: (options: Partial<ToolHostOptions>) => Promise<McpToolHost>;
}

export const test = base.extend<Fixtures>({
  tempDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'endure-mcp-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  makeHost: async ({ tempDir }, use) => {
    const hosts: McpToolHost[] = [];
    await use(async (options) => {
      const host = await createToolHost({ projectRoot: tempDir, ...options });
      hosts.push(host);
      return host;
    });
    await Promise.all(hosts.map((host) => host.close()));
  },
});

export function fixture(name: string, args: string[] = [], policy: Record<string, unknown> = {}) {
  return {
    name,
    layer: 'user' as const,
    file: 'test',
    config: { transport: 'stdio' as const, command: process.execPath, args: [FIXTURE_SERVER, ...args], env: {}, ...policy },
  };
}

/** A git repository in `dir` with notes.txt ("first line"), for the built-in servers. */
export function gitWorkspace(dir: string): string {
  const root = realpathSync(dir);
  writeFileSync(resolve(root, 'notes.txt'), 'first line\n');
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}
