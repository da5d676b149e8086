#!/usr/bin/env node
/**
 * Entry point of the `endure` command. Kept tiny so start-up stays fast: each
 * command's module is imported only when that command runs (exec never loads Ink).
 */
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-V') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(argv);
}
