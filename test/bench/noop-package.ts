/**
 * A Node program that does nothing, packaged like endure (ESM, a bin with a
 * `#!/usr/bin/env node` shebang, an npm script that runs it with `node`): started
 * the same ways as endure, its spawn to exit is each launcher's own start-up,
 * the floor no program started that way can go under.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchablePackage } from './launchers.js';

const NAME = 'endure-bench-noop';

/** Writes the package's directory under `root` (not packed nor installed: launchers.ts does that). */
export function writeNoopPackage(root: string): LaunchablePackage {
  const dir = join(root, NAME);
  mkdirSync(dir, { recursive: true });
  const manifest = { name: NAME, version: '1.0.0', private: true, type: 'module', bin: { [NAME]: 'noop.js' }, scripts: { noop: 'node noop.js' } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'noop.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
  return { dir, main: join(dir, 'noop.js'), bin: NAME, script: 'noop' };
}
