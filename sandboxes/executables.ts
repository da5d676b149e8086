/**
 * Finding the confining programs (bwrap, docker, podman) on a PATH. Backends run
 * them by absolute path, so the spawner's own PATH lookup (and a `bwrap` planted
 * in the workspace) never decides what runs.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The absolute path of `name` on `searchPath`, or undefined when it is not there. */
export function findExecutable(name: string, searchPath: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}
