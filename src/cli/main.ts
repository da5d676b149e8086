#!/usr/bin/env node
/**
 * Entry point of the `endure` command. Kept tiny so start-up stays fast: each
 * command's module is imported only when that command runs (exec never loads Ink).
 */
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { VERSION } from './version.js';

// Node keeps compiled bytecode of endure and its dependencies on disk: later starts skip most parsing.
nodeModule.enableCompileCache?.();

const argv = process.argv.slice(2);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`endure: needs Node 22.12 or later, this is Node ${process.versions.node}; run it through npm (npm run endure -- ...) or install Node 22\n`);
  process.exitCode = 2;
} else if (argv[0] === '--version' || argv[0] === '-V') {
  process.stdout.write(`${VERSION}\n`);
} else {
  // The build bundles the commands into dist/bundle/ (a few files instead of ~1,000 modules to resolve and load);
  // from the source tree, or a build without it, tsc's modules run.
  const bundled = new URL('../../bundle/program.js', import.meta.url);
  const { runCli } = (await import(existsSync(bundled) ? bundled.href : './program.js')) as typeof import('./program.js');
  process.exitCode = await runCli(argv);
}
