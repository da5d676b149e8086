/**
 * The parts of subagents that stand without the loop: the task tool's argument
 * check, the child's first message, the shared budget account, the bound on
 * parallel children, children's sessions on disk, the parent's totals counting
 * a child's figures, and the scripted model that answers each conversation.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BudgetAccount } from '../../src/agent/budget-account.js';
import { childMessage } from '../../src/agent/child-prompt.js';
import { foldRecords } from '../../src/agent/fold.js';
import { stopConditionFor } from '../../src/agent/stop-conditions.js';
import { childIdFor, figuresLine, Slots } from '../../src/agent/subagents.js';
import { checkTaskArgs, TASK } from '../../src/agent/task-tool.js';
import { SessionStore } from '../../sessions/store.js';
import { agentScripts, meeting, overlapped } from '../support/agent-scripts.js';
import { startScriptedServer } from '../support/scripted-server.js';
import { startBody } from '../sessions/sample-records.js';

describe('the task tool', () => {
  test('bad arguments and calls from a child are results the model can act on', () => {
    expect(checkTaskArgs({ description: 'x', prompt: '  ' }, false)).toEqual({ ok: false, error: expect.stringContaining('needs "prompt"') });
    expect(checkTaskArgs({ prompt: 'look', mode: 'fast' }, false)).toEqual({ ok: false, error: expect.stringContaining('unknown mode "fast"') });
    expect(checkTaskArgs({ prompt: 'look' }, true)).toEqual({ ok: false, error: expect.stringContaining('cannot start sub-agents') });
  });

  test('mode defaults to read and a missing description is taken from the prompt', () => {
    expect(checkTaskArgs({ prompt: 'Find the parser\nand say where it is' }, false)).toEqual({
      ok: true,
      task: { description: 'Find the parser', prompt: 'Find the parser\nand say where it is', mode: 'read' },
    });
    expect(checkTaskArgs({ description: 'fix', prompt: 'fix it', mode: 'write' }, false)).toMatchObject({ ok: true, task: { mode: 'write' } });
  });

  test('the spec the model sees: description, prompt, mode; idempotent so a crash continues the child', () => {
    expect(TASK.inputSchema).toMatchObject({ required: ['description', 'prompt'], properties: { mode: { enum: ['read', 'write'] } } });
    expect(TASK.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(TASK.description).toContain('sees nothing of this conversation');
  });
});

describe('the child', () => {
  test('children of one mode share their first message up to the prompt, which ends it', () => {
    const a = childMessage('read', 'find A');
    const b = childMessage('read', 'find B');
    expect(a.endsWith('find A')).toBe(true);
    expect(a.slice(0, -1)).toBe(b.slice(0, -1));
    expect(a).toContain('concise report');
    expect(childMessage('write', 'x')).toContain('may change files');
  });

  test('ids are the parent turn and call id, safe as a directory name', () => {
    expect(childIdFor(3, 'call_1_0')).toBe('t3-call_1_0');
    expect(childIdFor(1, 'chatcmpl-tool/../x y')).toBe('t1-chatcmpl-tool_.._x_y');
  });

  test('the figures line', () => {
    const line = figuresLine({ id: 't1-c', status: 'done', turns: 3, toolCalls: 1, usage: { promptTokens: 12_000, completionTokens: 345, cachedTokens: 0 }, durationMs: 4_120 });
    expect(line).toBe('sub-agent t1-c · done · 3 turns · 1 tool call · 12,345 tokens · 4.1 s');
  });
});

describe('the shared budget account', () => {
  test('calls charged by the parent and its children stop all of them at the limit', () => {
    const account = new BudgetAccount(stopConditionFor({ maxToolCalls: 10 }), 0, 4);
    account.charge({ toolCalls: 3 }); // a child
    expect(account.check(1, [], 0)).toBeUndefined();
    account.charge({ toolCalls: 3, tokens: 50 }); // another child
    expect(account.check(5, [], 0)).toMatchObject({ code: 'max_tool_calls' });
    expect(account.tokens).toBe(50);
  });

  test('tokens and the deadline are shared too; turns stay each agent\'s own', () => {
    const account = new BudgetAccount(stopConditionFor({ maxTokens: 100, deadlineMs: 1_000, maxTurns: 5 }), 1_000);
    expect(account.check(4, [], 1_500)).toBeUndefined();
    expect(account.check(5, [], 1_500)).toMatchObject({ code: 'max_turns' });
    account.charge({ tokens: 100 });
    expect(account.check(0, [], 1_500)).toMatchObject({ code: 'max_tokens' });
    expect(new BudgetAccount(stopConditionFor({ deadlineMs: 1_000 }), 1_000).check(0, [], 2_000)).toMatchObject({ code: 'deadline' });
  });
});

describe('slots', () => {
  test('at most the limit run at once; the rest wait their turn', async () => {
    const slots = new Slots(2);
    let active = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const works = Array.from({ length: 5 }, (_, i) =>
      slots.run(async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active -= 1;
        return i;
      }),
    );
    const running = async (count: number) => {
      while (gates.length < count) await new Promise((resolve) => setImmediate(resolve));
    };
    for (let left = 5; left > 0; left--) {
      await running(Math.min(2, left));
      expect(active).toBe(Math.min(2, left));
      gates.shift()!();
    }
    expect(await Promise.all(works)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});

describe('children on disk', () => {
  test('a child is a session under <session>/agents/<id> with its own journal, blobs and lock', () => {
    const home = mkdtempSync(join(tmpdir(), 'endure-agents-'));
    try {
      const store = new SessionStore({ home });
      const parent = store.create(startBody, 'parent-session');
      const agents = store.agentsOf(parent);
      const child = agents.create({ ...startBody, task: 'find A' }, 't1-call_0');
      const dir = join(home, 'sessions', 'parent-session', 'agents', 't1-call_0');
      expect(existsSync(join(dir, 'journal.jsonl'))).toBe(true);
      expect(existsSync(join(dir, 'blobs'))).toBe(true);
      expect(() => agents.open('t1-call_0')).toThrow(/in use by process/);
      child.append({ kind: 'user', content: 'find A' });
      child.close();
      const again = agents.open('t1-call_0');
      expect([...again.history()].map((record) => record.kind)).toEqual(['session_start', 'user']);
      again.close();
      // Children are not sessions of their own in the list.
      expect(store.list().map((info) => info.id)).toEqual(['parent-session']);
      parent.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("a task's child figures count in the parent's totals, in the fold and in sessions list alike", () => {
    const home = mkdtempSync(join(tmpdir(), 'endure-agents-'));
    try {
      const store = new SessionStore({ home });
      const parent = store.create(startBody, 'parent-session');
      parent.append({ kind: 'user', content: 'go' });
      const toolCalls = [{ id: 'c1', type: 'function' as const, function: { name: 'task', arguments: '{"prompt":"find A"}' } }];
      parent.append({ kind: 'assistant', turn: 1, content: '', toolCalls, finish: 'tool_calls', usage: { promptTokens: 100, completionTokens: 10 } });
      parent.append({ kind: 'tool_start', callId: 'c1', name: 'task', replayable: true });
      const agent = { id: 't1-c1', status: 'done' as const, turns: 2, toolCalls: 5, usage: { promptTokens: 1000, completionTokens: 50, cachedTokens: 800 }, durationMs: 10 };
      parent.append({ kind: 'tool_end', callId: 'c1', name: 'task', isError: false, content: 'A is in a.ts', durationMs: 10, agent });
      parent.close();
      const state = foldRecords(store.read('parent-session').records);
      expect(state).toMatchObject({ turns: 1, toolCalls: 6, usage: { promptTokens: 1100, completionTokens: 60, cachedTokens: 800 } });
      expect(store.info('parent-session')).toMatchObject({ turns: 1, toolCalls: 6, usage: { promptTokens: 1100, completionTokens: 60 } });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the scripted model of parent and children', () => {
  test('routes each conversation to its own script, and its log shows requests that overlapped', async () => {
    const server = await startScriptedServer();
    try {
      const both = meeting(2);
      const model = agentScripts({
        parent: [{ content: 'parent answer' }],
        children: { 'find A': [both.hold({ content: 'A here' })], 'find B': [both.hold({ content: 'B here' })] },
      });
      server.respondWith(model.decide);
      const ask = async (first: string) => {
        const response = await fetch(`${server.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'system', content: 's' }, { role: 'user', content: first }] }),
        });
        return ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
      };
      expect(await Promise.all([ask(childMessage('read', 'find A')), ask(childMessage('read', 'find B')), ask('the task')])).toEqual(['A here', 'B here', 'parent answer']);
      expect(overlapped(model.log, ['find A', 'find B'])).toBe(true);
      expect(model.requestsOf('parent')).toHaveLength(1);

      // One after another, the same meeting never fills: the log shows no overlap.
      const alone = meeting(2, 50);
      const sequential = agentScripts({ parent: [], children: { 'find A': [alone.hold({ content: 'A' })], 'find B': [alone.hold({ content: 'B' })] } });
      server.respondWith(sequential.decide);
      await ask(childMessage('read', 'find A'));
      await ask(childMessage('read', 'find B'));
      expect(overlapped(sequential.log, ['find A', 'find B'])).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('the UI state of a running child', () => {
  test("a child's events show under its task line (current tool, figures) and count in the session's calls", async () => {
    const { initialViewState, reduceEvent } = await import('../../src/ui/state.js');
    const info = { sessionId: 's', model: 'm', server: 'llama', sandbox: 'host', workspace: '/w', budgets: {} };
    const envelope = { session: 's', turn: 1, seq: 1, time: 1 };
    const child = { ...envelope, agent_id: 't1-c1', parent_call_id: 'c1' };
    let state = initialViewState(info);
    state = reduceEvent(state, { ...envelope, type: 'tool_start', callId: 'c1', name: 'task', arguments: '{"description":"find the parser","prompt":"p"}' });
    state = reduceEvent(state, { ...child, type: 'assistant_message', content: '', toolCalls: [] });
    state = reduceEvent(state, { ...child, type: 'tool_start', callId: 'x', name: 'grep', arguments: '{"pattern":"parse"}' });
    expect(state.live.tools[0]).toMatchObject({ summary: 'task (read) find the parser', agent: { currentTool: 'grep "parse"', turns: 1, toolCalls: 0 } });
    state = reduceEvent(state, { ...child, type: 'tool_end', callId: 'x', name: 'grep', isError: false, content: 'a.ts:1', durationMs: 1 });
    state = reduceEvent(state, { ...child, type: 'usage', usage: { promptTokens: 90, completionTokens: 10 }, totals: { promptTokens: 90, completionTokens: 10, cachedTokens: 0 }, contextTokens: 100 });
    expect(state.live.tools[0]!.agent).toEqual({ turns: 1, toolCalls: 1, tokens: 100 });
    expect(state.status.toolCalls).toBe(1);
    expect(state.finished.count).toBe(0);
    // Done: the task's result replaces the live lines.
    state = reduceEvent(state, { ...envelope, type: 'tool_end', callId: 'c1', name: 'task', isError: false, content: 'in a.ts', durationMs: 5 });
    expect(state.live.tools).toEqual([]);
    expect(state.status.toolCalls).toBe(2);
  });
});
