/**
 * Records examples/sessions/fix-failing-test/journal.jsonl again: the real
 * `endure exec` in a fresh git repository at a neutral path, against the scripted
 * model of example-session.ts. Run from the repository root after `npm run build`:
 *
 *   node dist/test/ui-e2e/record-example.js [workspace, default /tmp/demo]
 *
 * The workspace must not exist yet; it is removed afterwards, with the temporary
 * endure home. The journal holds the workspace path and the scripted server's
 * address, nothing else of this machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startScriptedServer } from '../support/scripted-server.js';
import { EXAMPLE_FILES, EXAMPLE_TASK, exampleModel } from './example-session.js';

const OUT = resolve('examples/sessions/fix-failing-test/journal.jsonl');
const CLI = resolve('dist/src/cli/main.js');

function makeWorkspace(dir: string): void {
  if (existsSync(dir)) throw new Error(`${dir} already exists; pass another path or remove it`);
  for (const [path, text] of Object.entries(EXAMPLE_FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Demo', '-c', 'user.email=demo@example.test', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'slugify and its tests');
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build from the repository root first`);
  const workspace = resolve(process.argv[2] ?? '/tmp/demo');
  const home = mkdtempSync(join(tmpdir(), 'endure-example-'));
  const server = await startScriptedServer({ model: 'qwen3.6-27b' });
  server.respondWith(exampleModel());
  makeWorkspace(workspace);
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ENDURE_HOME: home, LANG: 'C.UTF-8' };
    // Asynchronous: the scripted server answers from this process.
    const run = await promisify(execFile)(process.execPath, [CLI, 'exec', '--base-url', server.url, '--sandbox', 'host', '--cwd', workspace, EXAMPLE_TASK], {
      env,
      encoding: 'utf8',
    });
    process.stderr.write(run.stderr);
    const [id] = readdirSync(join(home, 'sessions'));
    const journal = join(home, 'sessions', id!, 'journal.jsonl');
    if (readFileSync(journal, 'utf8').includes(home)) throw new Error(`the journal mentions the temporary home ${home}`);
    mkdirSync(dirname(OUT), { recursive: true });
    copyFileSync(journal, OUT);
    process.stdout.write(`${OUT}\n`);
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`record-example: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
