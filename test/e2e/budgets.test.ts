/**
 * Each budget of `endure exec` stops a real session with exit code 3, a json
 * result with status "budget", and an end record that says why: --max-turns,
 * --max-tool-calls, --max-tokens, --deadline, and the repeated-call loop guard
 * (the same call five times in a row is a loop; five different calls to the
 * same tool are not).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, planModel, sessionIds } from '../support/e2e-fixtures.js';
import type { PlanStep } from '../support/e2e-fixtures.js';

/** A model that never stops calling tools: turn k reads a different file. */
function endlessReads(turns: number, usage?: { prompt: number; completion: number }): PlanStep[] {
  return Array.from({ length: turns }, (_, k) => ({
    toolCalls: [call('read_file', { path: 'README.md', offset: k + 1 })],
    ...(usage ? { usage } : {}),
  }));
}

function endOf(home: string) {
  const { records } = journalOf(home, sessionIds(home)[0]!);
  const end = records.at(-1)!;
  expect(end.kind).toBe('end');
  return end as Extract<typeof end, { kind: 'end' }>;
}

describe('budgets of endure exec (exit 3)', { timeout: 120_000 }, () => {
  test('--max-turns stops after that many model turns', async ({ server, endure, home }) => {
    server.respondWith(planModel(endlessReads(20)));
    const run = await endure.exec(['--max-turns', '2', '--output-format', 'json', 'read forever']).done;
    expect(run.code).toBe(3);
    expect(server.requestCount).toBe(2);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'budget', turns: 2, tool_calls: 2 });
    expect(result.error).toMatch(/turn budget \(2 turns\)/);
    expect(endOf(home)).toMatchObject({ status: 'budget', reason: expect.stringMatching(/--max-turns/) });
  });

  test('--max-tool-calls stops at that many calls, refusing the call over the budget', async ({ server, endure, home, repo }) => {
    const append = (n: number) => call('run_shell', { command: `echo call-${n} >> calls.log` });
    server.respondWith(planModel([{ toolCalls: [append(1), append(2)] }, { toolCalls: [append(3), append(4)] }, { toolCalls: [append(5)] }]));
    const run = await endure.exec(['--max-tool-calls', '3', '--output-format', 'json', 'append lines']).done;
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'budget', tool_calls: 3, turns: 2 });
    expect(readFileSync(join(repo, 'calls.log'), 'utf8')).toBe('call-1\ncall-2\ncall-3\n');
    const { records } = journalOf(home, sessionIds(home)[0]!);
    expect(records.filter((record) => record.kind === 'tool_start')).toHaveLength(3);
    expect(records.find((record) => record.kind === 'tool_end' && record.callId === 'call_1_1')).toMatchObject({
      outcome: 'cancelled',
      content: expect.stringMatching(/tool-call budget/),
    });
    expect(endOf(home)).toMatchObject({ status: 'budget', reason: expect.stringMatching(/--max-tool-calls/) });
    expect(server.requestCount).toBe(2);
  });

  test('--max-tokens stops once the server-reported tokens reach it', async ({ server, endure, home }) => {
    server.respondWith(planModel(endlessReads(20, { prompt: 1000, completion: 100 })));
    const run = await endure.exec(['--max-tokens', '2500', '--output-format', 'json', 'read forever']).done;
    expect(run.code).toBe(3);
    expect(server.requestCount).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'budget',
      turns: 3,
      usage: { prompt_tokens: 3000, completion_tokens: 300 },
    });
    expect(endOf(home)).toMatchObject({ status: 'budget', reason: expect.stringMatching(/token budget \(3300 of 2500 tokens\)/) });
  });

  test('--deadline stops the session at the first step boundary past it', async ({ server, endure, home, repo }) => {
    server.respondWith(planModel([{ toolCalls: [call('run_shell', { command: 'sleep 1.5; touch slept.flag' })] }, ...endlessReads(20)]));
    const run = await endure.exec(['--deadline', '1s', '--output-format', 'json', 'take your time']).done;
    expect(run.code).toBe(3);
    expect(existsSync(join(repo, 'slept.flag'))).toBe(true);
    expect(server.requestCount).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'budget', turns: 1, tool_calls: 1 });
    expect(endOf(home)).toMatchObject({ status: 'budget', reason: expect.stringMatching(/deadline/) });
  });

  test('the same call five times in a row is stopped as a loop', async ({ server, endure, home }) => {
    const same = { toolCalls: [call('read_file', { path: 'README.md' })] };
    server.respondWith(planModel(Array.from({ length: 10 }, () => same)));
    const run = await endure.exec(['--output-format', 'json', 'read the readme']).done;
    expect(run.code).toBe(3);
    expect(server.requestCount).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'budget', turns: 5, tool_calls: 5 });
    expect(endOf(home)).toMatchObject({ status: 'budget', reason: expect.stringMatching(/same call 5 times in a row/) });
  });

  test('five different calls to the same tool are not a loop', async ({ server, endure, home }) => {
    server.respondWith(planModel(endlessReads(6), 'Read it six ways.'));
    const run = await endure.exec(['--output-format', 'json', 'read the readme']).done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done', turns: 7, tool_calls: 6, result: 'Read it six ways.' });
    expect(endOf(home)).toMatchObject({ status: 'done' });
  });
});
