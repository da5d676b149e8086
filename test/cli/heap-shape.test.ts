/**
 * The heap shape endure sets at start-up (src/cli/heap-shape.ts), seen in a
 * real Node process started without any heap flag, as `node dist/...` is:
 * a session's worth of short-lived garbage leaves the young generation at
 * most at its cap, where V8 alone doubles it to 32 MB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const COMPILED = fileURLToPath(new URL('../../dist/src/cli/heap-shape.js', import.meta.url));

/** Allocates turns of garbage (some of it surviving a while, as a turn's body does) and prints the young generation's largest size, in bytes. */
const WORKLOAD = `
import { getHeapSpaceStatistics } from 'node:v8';
const shape = process.argv[1];
if (shape) (await import(shape)).shapeHeap();
const young = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
let kept = [];
let largest = 0;
for (let turn = 0; turn < 300; turn++) {
  for (let i = 0; i < 30000; i++) {
    kept.push({ turn, text: 'line ' + i });
    if (kept.length > 100000) kept = [];
  }
  await new Promise((resolve) => setImmediate(resolve));
  largest = Math.max(largest, young());
}
process.stdout.write(String(largest));
`;

function largestYoungGeneration(shape?: string): number {
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', WORKLOAD, shape ?? ''], { encoding: 'utf8' }));
}

test('the young generation stops at its cap without heap flags, where V8 alone grows it past', () => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run 'npm run build' first`);
  const cap = 16 * 1024 * 1024;
  expect(largestYoungGeneration()).toBeGreaterThan(cap);
  expect(largestYoungGeneration(COMPILED)).toBeLessThanOrEqual(cap);
});
