/**
 * Fixtures for the sandbox suites: a workspace on /tmp (which bwrap replaces by a
 * private tmpfs, so the workspace bind must win), a directory outside it on
 * /var/tmp (visible, read-only, inside bwrap), and a helper that collects a child's
 * output and exit.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from 'vitest';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function finished(child: ChildProcess, stdin?: string): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (stdin !== undefined) child.stdin?.end(stdin);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export const BASE_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

function tempDir(parent: string, prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(parent, prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const test = base.extend<{ workspace: string; outside: string }>({
  // eslint-disable-next-line no-empty-pattern
  workspace: async ({}, use) => {
    const dir = tempDir(tmpdir(), 'endure-ws-');
    await use(dir.path);
    dir.remove();
  },
  // eslint-disable-next-line no-empty-pattern
  outside: async ({}, use) => {
    const dir = tempDir('/var/tmp', 'endure-out-');
    await use(dir.path);
    dir.remove();
  },
});
