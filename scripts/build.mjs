// Build: compile with tsc, then copy the assets that live beside the code
// (tool descriptions for the model, prompts) into dist/ at the same paths, then
// bundle the CLI into dist/bundle/ for start-up (scripts/bundle.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
await bundle(root);
