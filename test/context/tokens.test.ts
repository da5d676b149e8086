/**
 * Token accounting: the exact count from the last usage plus an estimate of
 * what was added since, with a chars-per-token ratio calibrated from usage and
 * smoothed so one odd response cannot swing it.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_CHARS_PER_TOKEN, TokenEstimator } from '../../src/context/tokens.js';

describe('TokenEstimator', () => {
  test('before any usage, characters are divided by the default ratio', () => {
    const estimator = new TokenEstimator();
    expect(estimator.ratio).toBe(DEFAULT_CHARS_PER_TOKEN);
    expect(estimator.estimate(3200)).toBe(1000);
    expect(estimator.tokensFor(321)).toBe(101);
  });

  test('after a response, the estimate is exact at that size and grows by the calibrated ratio', () => {
    const estimator = new TokenEstimator();
    estimator.observe(1000, 50, 4000, 4200);
    expect(estimator.ratio).toBeCloseTo(0.7 * 3.2 + 0.3 * 4, 10);
    expect(estimator.estimate(4200)).toBe(1050);
    expect(estimator.estimate(4200 + 344)).toBe(1050 + Math.ceil(344 / estimator.ratio));
  });

  test('the ratio converges to what the server measures', () => {
    const estimator = new TokenEstimator();
    for (let i = 1; i <= 40; i++) estimator.observe(i * 1000, 10, i * 4000, i * 4000 + 40);
    expect(estimator.ratio).toBeCloseTo(4, 3);
  });

  test('one odd response moves the ratio only a little, and it stays within bounds', () => {
    const estimator = new TokenEstimator();
    for (let i = 0; i < 30; i++) estimator.observe(1000, 0, 3500, 3500);
    const settled = estimator.ratio;
    estimator.observe(1, 0, 3500, 3500);
    expect(estimator.ratio).toBeCloseTo(0.7 * settled + 0.3 * 8, 10);
    for (let i = 0; i < 60; i++) estimator.observe(100_000, 0, 10, 10);
    expect(estimator.ratio).toBeCloseTo(1.5, 5);
    for (let i = 0; i < 60; i++) estimator.observe(1, 0, 100_000, 100_000);
    expect(estimator.ratio).toBeCloseTo(8, 5);
  });

  test('a conversation smaller than the anchor (a compaction) is estimated from the ratio; reset drops the anchor', () => {
    const estimator = new TokenEstimator();
    estimator.observe(10_000, 100, 32_000, 32_400);
    expect(estimator.estimate(16_000)).toBe(Math.ceil(16_000 / estimator.ratio));
    estimator.reset();
    expect(estimator.estimate(32_400)).toBe(Math.ceil(32_400 / estimator.ratio));
  });
});
