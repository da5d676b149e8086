/**
 * Packing and installing endure as a user gets it: `npm pack` of the built
 * checkout, then `npm install -g --prefix` of the tarball (dependencies from
 * npm's cache when it has them). Shared by the package test and the action test.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/e2e-fixtures.js';

const run = promisify(execFile);

export interface Packed {
  tarball: string;
  /** Bytes of the tarball. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/** `npm pack` of the checkout into `dir` (no lifecycle script builds: dist/ is what the suite built). */
export async function packInto(dir: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  const [pack] = JSON.parse(stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  return { tarball: join(dir, pack!.filename), size: pack!.size, unpackedSize: pack!.unpackedSize, files: pack!.files.map((file) => file.path) };
}

/** `npm install -g --prefix <prefix> <tarball>`; returns the prefix's bin directory. */
export async function installGlobal(tarball: string, prefix: string): Promise<string> {
  await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return join(prefix, 'bin');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
