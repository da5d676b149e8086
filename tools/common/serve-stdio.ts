/**
 * The stdio entry shared by the built-in tool servers: parses `--root DIR`
 * (required, must be a directory) plus the server's own flags, then serves the
 * server over stdin/stdout with the SDK's `serveStdio` (both protocol eras). A
 * bad command line prints one line on stderr and exits 2. Usage, in
 * tools/<name>/server.ts:
 *
 *   await runStdioServer({
 *     name: 'git',
 *     flags: { 'allow-push': { type: 'boolean' } },
 *     create: ({ root, flags }) => createGitServer({ root, allowPush: flags['allow-push'] === true }),
 *   });
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** The parsed command line handed to `create`. */
export interface StdioServerArgs {
  /** Absolute path of `--root`, checked to be an existing directory. */
  root: string;
  /** Values of the server-specific flags declared in `flags`. */
  flags: Record<string, string | boolean | undefined>;
}

export interface RunStdioServerOptions {
  /** Server name used in error messages, e.g. `fs`. */
  name: string;
  /** Extra flags besides `--root`, in node:util parseArgs form (no `multiple`). @default {} */
  flags?: ParseArgsOptionsConfig;
  /** Builds one server instance; throw UsageError for a bad flag value (exit 2), anything else exits 1. */
  create: (args: StdioServerArgs) => McpServer;
  /** @default process.argv.slice(2) */
  argv?: string[];
}

/** Thrown by parseServerArgs; its message is the one line printed before exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses and checks the command line; throws UsageError with a one-line message. */
export function parseServerArgs(name: string, argv: string[], flags: ParseArgsOptionsConfig = {}): StdioServerArgs {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { root: { type: 'string' }, ...flags }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${name} server: ${(error as Error).message}; usage: ${name} --root DIR`);
  }
  const { root, ...rest } = values;
  if (typeof root !== 'string' || root === '') throw new UsageError(`${name} server: --root DIR is required (the workspace the tools may touch)`);
  const absolute = resolve(root);
  let isDirectory = false;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {
    throw new UsageError(`${name} server: --root ${root} does not exist; pass an existing directory`);
  }
  if (!isDirectory) throw new UsageError(`${name} server: --root ${root} is not a directory; pass a directory`);
  return { root: absolute, flags: rest as StdioServerArgs['flags'] };
}

/** Parses the command line and serves until stdin closes; on a usage error prints one line and exits 2. */
export async function runStdioServer(options: RunStdioServerOptions): Promise<void> {
  let args: StdioServerArgs;
  try {
    args = parseServerArgs(options.name, options.argv ?? process.argv.slice(2), options.flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  let server: McpServer;
  try {
    server = options.create(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${options.name} server: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${options.name} server: cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let first = true;
  serveStdio(() => {
    if (first) {
      first = false;
      return server;
    }
    return options.create(args);
  }, { onerror: (error) => process.stderr.write(`${options.name} server: ${error.message}\n`) });
}
