/**
 * Fixtures for the sessions tests: a temporary endure home that is removed
 * afterwards, a store on it, and the compiled child script that real child
 * processes run (built by `npm run build`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from 'vitest';
import { SessionStore } from '../../sessions/store.js';

export { expectedBody, startBody } from './sample-records.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The compiled child script; throws a clear error when the build has not run. */
export function childScript(): string {
  const path = join(repoRoot, 'dist', 'test', 'sessions', 'child.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run 'npm run build' before these tests`);
  return path;
}

export const test = base.extend<{ home: string; store: SessionStore }>({
  home: async ({}, use) => {
    const home = mkdtempSync(join(tmpdir(), 'endure-sessions-'));
    await use(home);
    rmSync(home, { recursive: true, force: true });
  },
  store: async ({ home }, use) => {
    await use(new SessionStore({ home }));
  },
});
