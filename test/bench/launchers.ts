/**
 * The ways a user starts endure, for the benchmarks: `node dist/src/cli/main.js`
 * (no V8 flags), the global bin (a packed tarball installed with
 * `npm install -g` into a temporary prefix, started as a shell starts it, by
 * its shebang), `npx endure` finding that global install, and `npm run endure`.
 * npm's own process is a launcher, not endure: the RSS figures skip it.
 *
 * Each launcher comes with its floor: the same launcher starting a no-op Node
 * package installed the same way (noop-package.ts), so start-up reads as the
 * launcher's own share and endure's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNoopPackage } from './noop-package.js';
import type { Launcher } from './soak.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENDURE: LaunchablePackage = { dir: ROOT, main: join(ROOT, 'dist/src/cli/main.js'), bin: 'endure', script: 'endure' };

/** A package that can be started the four ways: its directory, the file `node` runs, its bin and its npm script. */
export interface LaunchablePackage {
  dir: string;
  main: string;
  bin: string;
  script: string;
}

/** A way of starting endure, with the same way of starting a program that does nothing. */
export type FlooredLauncher = Launcher & { floor: Launcher };

export interface Launchers {
  all: FlooredLauncher[];
  /** Removes the temporary global prefix. */
  dispose(): void;
}

/** npm with the same Node as the bench, so the shebang's `env node` finds Node 22 first on PATH. */
function npmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
}

/** `npm pack` of the package's directory, then `npm install --global` of the tarball into `prefix`/global. */
function installGlobally(pkg: LaunchablePackage, prefix: string, env: NodeJS.ProcessEnv): void {
  const npm = (args: string[]) => execFileSync('npm', args, { cwd: pkg.dir, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const [packed] = JSON.parse(npm(['pack', '--json', '--silent', '--pack-destination', prefix])) as { filename: string }[];
  npm(['install', '--global', '--silent', '--no-audit', '--no-fund', '--prefix', join(prefix, 'global'), join(prefix, packed!.filename)]);
}

const nodeWay = (pkg: LaunchablePackage, env?: NodeJS.ProcessEnv): Launcher => ({
  name: `node ${relative(pkg.dir, pkg.main)}`,
  command: process.execPath,
  args: [pkg.main],
  ...(env ? { env } : {}),
});

/** The four ways, for a package installed globally into `prefix` by installGlobally. */
function fourWays(pkg: LaunchablePackage, prefix: string, env: NodeJS.ProcessEnv): Launcher[] {
  const global = join(prefix, 'global');
  return [
    nodeWay(pkg, env),
    { name: 'global bin', command: join(global, 'bin', pkg.bin), args: [], env },
    // --no-install: npx must find the global install, never fetch a package of that name.
    { name: `npx ${pkg.bin}`, command: 'npx', args: ['--no-install', pkg.bin], env: { ...env, npm_config_prefix: global } },
    { name: `npm run ${pkg.script}`, command: 'npm', args: ['--prefix', pkg.dir, 'run', '--silent', pkg.script, '--'], env },
  ];
}

/** Builds launchers in a new temporary prefix, removed by `dispose` (or at once if building fails). */
function inTemporaryPrefix<T extends Launcher>(name: string, build: (prefix: string) => T[]): { all: T[]; dispose(): void } {
  const prefix = mkdtempSync(join(tmpdir(), `${name}-`));
  const dispose = () => rmSync(prefix, { recursive: true, force: true });
  try {
    return { all: build(prefix), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/**
 * Packs endure and the no-op package and installs both globally into a temporary prefix (about 15 s);
 * `node`: only `node dist/src/cli/main.js` and `node noop.js`, nothing installed.
 */
export function prepareLaunchers(which: 'all' | 'node' = 'all'): Launchers {
  return inTemporaryPrefix('endure-launchers', (prefix): FlooredLauncher[] => {
    const noop = writeNoopPackage(prefix);
    if (which === 'node') return [{ ...nodeWay(ENDURE), floor: nodeWay(noop) }];
    const env = npmEnv();
    installGlobally(ENDURE, prefix, env);
    installGlobally(noop, prefix, env);
    const floors = fourWays(noop, prefix, env);
    return fourWays(ENDURE, prefix, env).map((launcher, i) => ({ ...launcher, floor: floors[i]! }));
  });
}

/** The no-op package alone, installed and started the four ways (a few seconds): the smoke test's. */
export function prepareFloors(): { all: Launcher[]; dispose(): void } {
  return inTemporaryPrefix('endure-floors', (prefix) => {
    const noop = writeNoopPackage(prefix);
    const env = npmEnv();
    installGlobally(noop, prefix, env);
    return fourWays(noop, prefix, env);
  });
}
