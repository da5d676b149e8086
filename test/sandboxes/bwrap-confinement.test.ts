import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { BASE_ENV, finished, test } from './fixtures.js';

describe('bwrap confinement', () => {
  test('writes inside the workspace land; writes outside fail', async ({ workspace, outside }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    await sandbox.prepare();
    const script = `echo in > inside.txt && echo out > ${outside}/escaped.txt`;
    const result = await finished(sandbox.spawn('bash', ['-c', script], { cwd: workspace, env: BASE_ENV }));
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(result.code).not.toBe(0);
    expect(existsSync(join(workspace, 'inside.txt'))).toBe(true);
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    await sandbox.dispose();
  });
});
