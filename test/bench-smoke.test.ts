/**
 * CI's smoke run of the soak benchmark: `benchSoak(1000)` from the compiled
 * bench (dist/test/bench/soak.js, so `npm run build` first) drives the real
 * `endure exec` through 1,000 tool calls against the scripted server. Only
 * correctness is asserted here, never timings: the run ends done, every call of
 * the plan ran, every pair of requests between compactions extends byte for
 * byte, compactions happened, the resume worked, and the first request is lean.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { SoakResult } from './bench/soak.js';

const COMPILED = fileURLToPath(new URL('../dist/test/bench/soak.js', import.meta.url));
const CALLS = 1000;

test(`soak smoke: ${CALLS} tool calls through the real CLI`, { timeout: 300_000 }, async () => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run 'npm run build' before the bench smoke test`);
  const { benchSoak } = (await import(COMPILED)) as { benchSoak: (toolCalls: number) => Promise<SoakResult> };
  const result = await benchSoak(CALLS);

  expect(result.exitCode).toBe(0);
  // One loop request per call of the plan, plus the final answer: every call ran.
  const loopRequests = 1 + result.prefix.pairs + result.prefix.breaksAtCompaction;
  expect(loopRequests).toBe(CALLS + 1);
  expect(result.prefix.extending).toBe(result.prefix.pairs);
  expect(result.prefix.minRatio).toBeGreaterThan(0.9);
  expect(result.compactions).toBeGreaterThan(0);
  expect(result.prefix.breaksAtCompaction).toBe(result.compactions);
  expect(Number.isFinite(result.resumeMs)).toBe(true);
  expect(result.resumeMs).toBeGreaterThan(0);
  expect(result.firstRequest.bytes).toBeLessThan(15 * 1024);
  expect(result.journal?.bytes).toBeGreaterThan(0);
});
