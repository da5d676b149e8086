/**
 * What every fs tool shares: the real workspace root, how a model-given path
 * becomes a safe absolute path (through tools/common/paths.ts), and how it is
 * shown back to the model (relative to the root).
 */
import { resolve } from 'node:path';
import { displayPath, resolveInside } from '../common/paths.js';

/** Which grep engine to use: ripgrep when on PATH (`auto`), or force one. @default 'auto' */
export type GrepEngine = 'auto' | 'ripgrep' | 'js';

export interface FsContext {
  /** Real absolute path of the workspace root. */
  root: string;
  grepEngine: GrepEngine;
  /** The ripgrep executable. @default 'rg' (looked up on PATH) */
  ripgrepPath: string;
}

export interface WorkspacePath {
  /** Real absolute path, symlinks followed, inside the root. */
  absolute: string;
  /** The path as the model should see it: relative to the root, `/` separators. */
  shown: string;
}

/** Resolves a model-given path; throws PathEscapeError (an isError result) when it leaves the root. */
export async function workspacePath(context: FsContext, input: string): Promise<WorkspacePath> {
  const absolute = await resolveInside(context.root, input);
  return { absolute, shown: displayPath(context.root, resolve(context.root, input)) };
}
