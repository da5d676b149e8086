/**
 * The built-in servers' tool lists as the build recorded them (dist/src/mcp/builtin-tools.json,
 * written by scripts/build.mjs from the servers' own tools/list, see builtin-listing.ts). The host
 * puts them in the first request while the servers start, so the first request waits for none of
 * them; a server that lists something else once started is a pending tool change like any other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ListedTool } from './tool-list.js';

export type BuiltinManifest = Readonly<Record<string, readonly ListedTool[]>>;

export const MANIFEST_FILE = 'builtin-tools.json';

/** Beside this module in dist/; from the source tree (tests), the one the last build wrote. */
function manifestPath(): string | undefined {
  const beside = fileURLToPath(new URL(`./${MANIFEST_FILE}`, import.meta.url));
  const built = fileURLToPath(new URL(`../../dist/src/mcp/${MANIFEST_FILE}`, import.meta.url));
  return [beside, built].find((path) => existsSync(path));
}

let cached: BuiltinManifest | null | undefined;

/** The manifest, or undefined without a build (the servers are then listed before the first request). */
export function builtinManifest(): BuiltinManifest | undefined {
  if (cached === undefined) {
    const path = manifestPath();
    cached = path ? (JSON.parse(readFileSync(path, 'utf8')) as BuiltinManifest) : null;
  }
  return cached ?? undefined;
}
