/**
 * The ways a user starts endure, for the benchmarks: `node dist/src/cli/main.js`
 * (no V8 flags), the global bin (a packed tarball installed with
 * `npm install -g` into a temporary prefix, started as a shell starts it, by
 * its shebang), `npx endure` finding that global install, and `npm run endure`.
 * npm's own process is a launcher, not endure: the RSS figures skip it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_LAUNCHER, type Launcher } from './soak.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** npm with the same Node as the bench, so the shebang's `env node` finds Node 22 first on PATH. */
function npmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
}

export interface Launchers {
  all: Launcher[];
  /** Removes the temporary global prefix. */
  dispose(): void;
}

/** Packs the built package and installs it globally into a temporary prefix (about 15 s). */
export function prepareLaunchers(): Launchers {
  const prefix = mkdtempSync(join(tmpdir(), 'endure-launchers-'));
  const env = npmEnv();
  const npm = (args: string[], cwd = ROOT) => execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
  npm(['pack', '--silent', '--pack-destination', prefix]);
  const tarball = readdirSync(prefix).find((name) => name.endsWith('.tgz'))!;
  npm(['install', '--global', '--silent', '--no-audit', '--no-fund', '--prefix', join(prefix, 'global'), join(prefix, tarball)]);
  const bin = join(prefix, 'global', 'bin', 'endure');
  const globalEnv = { ...env, npm_config_prefix: join(prefix, 'global') };
  return {
    all: [
      NODE_LAUNCHER,
      { name: 'global bin', command: bin, args: [], env },
      // --no-install: npx must find the global install, never fetch a package named endure.
      { name: 'npx endure', command: 'npx', args: ['--no-install', 'endure'], env: globalEnv },
      { name: 'npm run endure', command: 'npm', args: ['--prefix', ROOT, 'run', '--silent', 'endure', '--'], env },
    ],
    dispose: () => rmSync(prefix, { recursive: true, force: true }),
  };
}
