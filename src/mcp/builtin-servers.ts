/**
 * The built-in tool servers (tools/fs, tools/shell, tools/git) described for
 * the host: how to build each in-process, and the standalone command that runs
 * it confined. The modules are imported only when a server starts, so `exec`
 * pays for what it uses.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuiltinServer } from './host-types.js';

export interface BuiltinOptions {
  /** The workspace root every built-in tool resolves paths against. */
  root: string;
  /** Environment variable names the shell tool passes through although they look like secrets. */
  passEnv?: string[];
  /** Let the git tool push. @default false */
  allowPush?: boolean;
}

/** The compiled entry; from the source tree (tests) that is the one under dist/. */
function entry(name: string): string {
  const beside = fileURLToPath(new URL(`../../tools/${name}/server.js`, import.meta.url));
  const built = fileURLToPath(new URL(`../../dist/tools/${name}/server.js`, import.meta.url));
  return existsSync(beside) || !existsSync(built) ? beside : built;
}

/** fs, shell, git: this order is part of the prompt and must not change. */
export function defaultBuiltins(options: BuiltinOptions): BuiltinServer[] {
  const { root } = options;
  const passEnv = options.passEnv ?? [];
  return [
    {
      name: 'fs',
      manifestKey: 'fs',
      create: async () => (await import('../../tools/fs/fs-server.js')).createFsServer({ root }),
      command: () => ({ command: process.execPath, args: [entry('fs'), '--root', root] }),
    },
    {
      name: 'shell',
      manifestKey: 'shell',
      create: async () => (await import('../../tools/shell/shell-server.js')).createShellServer({ root, passEnv }),
      command: () => ({
        command: process.execPath,
        args: [entry('shell'), '--root', root, ...passEnv.flatMap((name) => ['--pass-env', name])],
      }),
    },
    {
      name: 'git',
      manifestKey: options.allowPush ? 'git+push' : 'git',
      create: async () => (await import('../../tools/git/git-server.js')).createGitServer({ root, allowPush: options.allowPush ?? false }),
      command: () => ({ command: process.execPath, args: [entry('git'), '--root', root, ...(options.allowPush ? ['--allow-push'] : [])] }),
    },
  ];
}
