/**
 * The built-in tool servers (tools/fs, tools/shell, tools/git) described for
 * the host: how to build each in-process, and the standalone command that runs
 * it confined. The modules are imported only when a server starts, so `exec`
 * pays for what it uses.
 */
import { fileURLToPath } from 'node:url';
import type { BuiltinServer, ConnectableServer } from './host-types.js';

export interface BuiltinOptions {
  /** The workspace root every built-in tool resolves paths against. */
  root: string;
  /** Environment variable names the shell tool passes through. */
  passEnv?: string[];
  /** Let the git tool push. @default false */
  allowPush?: boolean;
}

type Factory = (options: Record<string, unknown>) => ConnectableServer | Promise<ConnectableServer>;

/** fs, shell, git: this order is part of the prompt and must not change. */
export function defaultBuiltins(options: BuiltinOptions): BuiltinServer[] {
  const spec = (name: 'fs' | 'shell' | 'git', exportName: string, extra: Record<string, unknown>): BuiltinServer => ({
    name,
    async create() {
      const modulePath = `../../tools/${name}/${name}-server.js`;
      const module = (await import(modulePath)) as Record<string, Factory>;
      const factory = module[exportName];
      if (typeof factory !== 'function') throw new Error(`tools/${name}/${name}-server does not export ${exportName}`);
      return factory({ root: options.root, ...extra });
    },
    command: () => ({
      command: process.execPath,
      args: [fileURLToPath(new URL(`../../tools/${name}/server.js`, import.meta.url)), '--root', options.root],
    }),
  });
  return [
    spec('fs', 'createFsServer', {}),
    spec('shell', 'createShellServer', options.passEnv ? { passEnv: options.passEnv } : {}),
    spec('git', 'createGitServer', { allowPush: options.allowPush ?? false }),
  ];
}
