/**
 * The one way the rest of endure gets a sandbox: pick a backend by kind. The MCP
 * host spawns tool servers through `Sandbox.wrap()` / `spawn()`; the CLI wires
 * `endure doctor` to diagnose.ts and `--worktree` to worktree.ts.
 */
import { BwrapSandbox } from './bwrap.js';
import { ContainerSandbox } from './container.js';
import { HostSandbox } from './host.js';
import type { Sandbox, SandboxKind, SandboxOptions } from './types.js';

export function createSandbox(kind: SandboxKind, options: SandboxOptions): Sandbox {
  switch (kind) {
    case 'host':
      return new HostSandbox(options);
    case 'bwrap':
      return new BwrapSandbox(options);
    case 'container':
      return new ContainerSandbox(options);
    default: {
      const never: never = kind;
      throw new Error(`unknown sandbox kind: ${String(never)}`);
    }
  }
}

export type { Sandbox, SandboxKind, SandboxOptions, SpawnOptions, WrappedCommand } from './types.js';
export { SandboxError } from '../src/shared/errors.js';
