/**
 * The loop's small pure parts: stop conditions that compose, loop detection
 * that tells a repeated call from a repeated tool, and the approval gate's
 * policies and rules.
 */
import { describe, expect, test } from 'vitest';
import { ApprovalGate } from '../../src/agent/approval.js';
import type { ApprovalRequest } from '../../src/agent/controls.js';
import { callSignature, stopConditionFor, type LoopProgress } from '../../src/agent/stop-conditions.js';
import type { ToolDescriptor } from '../../src/mcp/types.js';

const progress = (over: Partial<LoopProgress> = {}): LoopProgress => ({
  turns: 0, toolCalls: 0, tokens: 0, startedAt: 0, now: 0, recentCalls: [], ...over,
});

describe('stop conditions', () => {
  const stop = stopConditionFor({ maxTurns: 10, maxToolCalls: 20, maxTokens: 1000, deadlineMs: 60_000 });
  test('nothing stops a fresh run', () => expect(stop(progress())).toBeUndefined());
  test.each([
    [{ turns: 10 }, 'max_turns'],
    [{ toolCalls: 20 }, 'max_tool_calls'],
    [{ tokens: 1000 }, 'max_tokens'],
    [{ now: 60_000 }, 'deadline'],
  ] as const)('%o stops with %s and a message saying how to go on', (over, code) => {
    const reason = stop(progress(over));
    expect(reason?.code).toBe(code);
    expect(reason?.message).toMatch(/resume/);
  });
  test('the same call five times in a row is a loop', () => {
    const same = callSignature('read_file', { path: 'a', offset: 1 });
    expect(stop(progress({ recentCalls: Array(5).fill(same) }))?.code).toBe('repeated_call');
    expect(stop(progress({ recentCalls: Array(4).fill(same) }))).toBeUndefined();
  });
  test('the same tool with other arguments is not a loop', () => {
    const calls = [1, 2, 3, 4, 5, 6].map((line) => callSignature('read_file', { path: 'a', offset: line }));
    expect(stop(progress({ recentCalls: calls }))).toBeUndefined();
  });
  test('argument order does not hide a repeat', () => {
    expect(callSignature('grep', { a: 1, b: [2, { c: 3, d: 4 }] })).toBe(callSignature('grep', { b: [2, { d: 4, c: 3 }], a: 1 }));
  });
});

const tool = (name: string, readOnly: boolean): ToolDescriptor => ({
  name, server: 'test', mcpName: name, description: '', inputSchema: { type: 'object' },
  annotations: { readOnlyHint: readOnly, destructiveHint: !readOnly, idempotentHint: false },
});
const signal = new AbortController().signal;

describe('approval gate', () => {
  const shell = tool('run_shell', false);
  test('read-only calls always run, even under deny', async () => {
    const gate = new ApprovalGate({ policy: 'deny' });
    expect(await gate.check(tool('read_file', true), 'c1', {}, signal)).toEqual({ run: true });
    expect((await gate.check(shell, 'c2', { command: 'ls' }, signal)).run).toBe(false);
  });
  test('ask without an approver (headless) refuses instead of waiting', async () => {
    const outcome = await new ApprovalGate({ policy: 'ask' }).check(shell, 'c1', { command: 'rm -rf x' }, signal);
    expect(outcome).toMatchObject({ run: false, message: expect.stringContaining('approval') });
  });
  test('deny rules win over allow rules and the policy; allow rules match command prefixes', async () => {
    const gate = new ApprovalGate({
      policy: 'auto',
      allow: [{ tool: 'run_shell', prefix: 'npm test' }],
      deny: [{ tool: 'run_shell', prefix: 'git push' }],
    });
    expect((await gate.check(shell, 'c1', { command: 'git push origin main' }, signal)).run).toBe(false);
    expect((await gate.check(shell, 'c2', { command: 'npm test -- --watch=false' }, signal)).run).toBe(true);
  });
  test('ask shows the exact command, and "always" covers later calls with the same command word', async () => {
    const asked: ApprovalRequest[] = [];
    const gate = new ApprovalGate({ policy: 'ask' }, async (request) => {
      asked.push(request);
      return 'always';
    });
    expect((await gate.check(shell, 'c1', { command: 'npm run build' }, signal)).run).toBe(true);
    expect((await gate.check(shell, 'c2', { command: 'npm test' }, signal)).run).toBe(true);
    expect((await gate.check(shell, 'c3', { command: 'make' }, signal)).run).toBe(true);
    expect(asked.map((request) => request.preview)).toEqual(['npm run build', 'make']);
    expect(asked[0]!.summary).toBe('run_shell: npm run build');
  });
  test('a "no" comes back to the model as a refusal it can act on', async () => {
    const gate = new ApprovalGate({ policy: 'ask' }, async () => 'no');
    expect(await gate.check(shell, 'c1', { command: 'ls' }, signal)).toMatchObject({ run: false, message: expect.stringContaining('declined') });
  });
});
