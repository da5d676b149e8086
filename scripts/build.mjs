// Build: compile with tsc, then copy the assets that live beside the code
// (tool descriptions for the model, prompts) into dist/ at the same paths, then
// bundle the CLI into dist/bundle/ for start-up (scripts/bundle.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundle } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit', cwd: root });

const ASSET = /\.(md|txt|json|jsonl)$/;
function copyAssets(dir) {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) copyAssets(rel);
    else if (ASSET.test(name)) cpSync(join(root, rel), join(root, 'dist', rel));
  }
}
for (const dir of ['src', 'tools', 'sandboxes', 'sessions', 'test']) copyAssets(dir);
chmodSync(join(root, 'dist', 'src', 'cli', 'main.js'), 0o755);
await writeBuiltinManifest();
await bundle(root);

/**
 * The built-in servers' tool lists, from their live tools/list (src/mcp/builtin-manifest.ts):
 * exec's first request carries them while the servers start.
 */
async function writeBuiltinManifest() {
  const scratch = mkdtempSync(join(tmpdir(), 'endure-build-'));
  try {
    const { liveBuiltinManifest } = await import(pathToFileURL(join(root, 'dist', 'src', 'mcp', 'builtin-listing.js')).href);
    const { MANIFEST_FILE } = await import(pathToFileURL(join(root, 'dist', 'src', 'mcp', 'builtin-manifest.js')).href);
    writeFileSync(join(root, 'dist', 'src', 'mcp', MANIFEST_FILE), JSON.stringify(await liveBuiltinManifest(scratch)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
