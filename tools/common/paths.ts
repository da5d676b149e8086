/**
 * Path safety shared by the built-in tool servers: every path a tool touches is
 * resolved against the workspace root, and `..`, absolute paths outside the root
 * and symlinks that lead outside are refused. This holds on every sandbox
 * backend, the host included, because it runs inside the tool server itself.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** A path that would leave the workspace; tools turn it into an `isError` result. */
export class PathEscapeError extends Error {
  constructor(
    readonly input: string,
    readonly root: string,
  ) {
    super(`path "${input}" is outside the workspace ${root}; use a path inside it (relative paths resolve against the workspace)`);
    this.name = 'PathEscapeError';
  }
}

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** The workspace root as a real absolute path (symlinks in the root itself are fine). */
export function realRoot(root: string): string {
  return realpathSync(resolve(root));
}

async function realpathOfLongestExisting(target: string): Promise<string> {
  let current = target;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return rest.length === 0 ? real : resolve(real, ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = dirname(current);
      if (parent === current) return target;
      rest.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}

/**
 * Resolves `input` (relative to `root`, or absolute) to a real absolute path inside
 * `root`, following symlinks of every existing component. Throws PathEscapeError
 * when the path, or where its symlinks lead, is outside the root.
 * @param root a real path, as returned by realRoot()
 */
export async function resolveInside(root: string, input: string): Promise<string> {
  const candidate = resolve(root, input);
  if (!isInside(root, candidate)) throw new PathEscapeError(input, root);
  const real = await realpathOfLongestExisting(candidate);
  if (!isInside(root, real)) throw new PathEscapeError(input, root);
  return real;
}

/** The path as the model should see it: relative to the root, with `/` separators. */
export function displayPath(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  return rel === '' ? '.' : rel.split(sep).join('/');
}
