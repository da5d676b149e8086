import { describe, expect } from 'vitest';
import { LogRecorder, fixture, test } from './support.js';

describe('tool host against the fixture server', () => {
  test('lists tools in a fixed order with sanitised names and skips malformed ones', async ({ makeHost }) => {
    const warnings: string[] = [];
    const host = await makeHost({
      servers: [fixture('zeta', ['--malformed', '--page-size', '2']), fixture('alpha', ['--tag', 'a'], { excludeTools: ['hang'] })],
      onWarning: (message) => warnings.push(message),
    });
    const names = host.tools().map((tool) => tool.name);
    expect(names.filter((name) => name.startsWith('alpha__'))).toEqual([
      'alpha__add_tool', 'alpha__ask', 'alpha__crash', 'alpha__dotted_name', 'alpha__echo', 'alpha__media', 'alpha__pid', 'alpha__slow',
    ]);
    expect(names.indexOf('zeta__echo')).toBeGreaterThan(names.indexOf('alpha__slow'));
    expect(names).toContain('zeta__hang');
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    for (const bad of ['no_schema', 'array_schema', 'task_only']) {
      expect(names).not.toContain(`zeta__${bad}`);
      expect(warnings.some((warning) => warning.includes(`"zeta": tool "${bad}" skipped`))).toBe(true);
    }
    const echo = host.tools().find((tool) => tool.name === 'alpha__echo')!;
    expect(echo).toMatchObject({ server: 'alpha', mcpName: 'echo', annotations: { readOnlyHint: true } });
    expect(await host.call('alpha__echo', { text: 'hi' })).toEqual({ text: 'a: hi', isError: false });
    expect(await host.call('alpha__dotted_name', {})).toMatchObject({ text: 'dotted' });
  });

  test('a crashed server fails the call in flight, then restarts for the next call', async ({ makeHost }) => {
    const recorder = new LogRecorder();
    const host = await makeHost({ servers: [fixture('crashy')], log: recorder.log, backoff: { initialMs: 10, maxMs: 50, maxRestarts: 3 } });
    const firstPid = (await host.call('crashy__pid', {})).text;
    const crashed = await host.call('crashy__crash', {});
    expect(crashed.isError).toBe(true);
    expect(crashed.text).toContain('stopped during the call');
    expect(crashed.text).toContain('restarts for the next call');
    await recorder.waitFor((entry) => entry.kind === 'stderr' && entry.message === 'fixture: crashing now');
    const secondPid = await host.call('crashy__pid', {});
    expect(secondPid.isError).toBe(false);
    expect(secondPid.text).not.toBe(firstPid);
    expect(host.hasPendingToolChanges()).toBe(false);
    expect(recorder.entries.some((entry) => entry.kind === 'lifecycle' && entry.message.startsWith('restarting'))).toBe(true);
  });

  test('progress resets the idle timeout; a hung call hits the timeout and is cancelled on the wire', async ({ makeHost }) => {
    const recorder = new LogRecorder();
    const host = await makeHost({
      servers: [fixture('slowpoke', [], { timeout: 400, maxTotalTimeout: 60_000 })],
      log: recorder.log,
    });
    const progress: number[] = [];
    const slow = await host.call('slowpoke__slow', { steps: 8, intervalMs: 150 }, { onProgress: (p) => progress.push(p.progress) });
    expect(slow).toEqual({ text: 'done after 8 steps', isError: false });
    expect(progress.length).toBeGreaterThanOrEqual(5);
    const hung = await host.call('slowpoke__hang', {});
    expect(hung.isError).toBe(true);
    expect(hung.text).toContain('timed out after 0.4 s without a response or progress');
    await recorder.waitFor((entry) => entry.kind === 'stderr' && entry.message.startsWith('fixture: cancelled'));
    expect((await host.call('slowpoke__echo', { text: 'still alive' })).text).toBe('fixture: still alive');
  });

  test('the absolute cap stops a call that keeps reporting progress', async ({ makeHost }) => {
    const host = await makeHost({ servers: [fixture('capped', [], { timeout: 1_000, maxTotalTimeout: 500 })] });
    const result = await host.call('capped__slow', { steps: 100, intervalMs: 50 });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('timed out after 0.5 s in all');
  });

  test('an AbortSignal cancels the call and sends notifications/cancelled', async ({ makeHost }) => {
    const recorder = new LogRecorder();
    const host = await makeHost({ servers: [fixture('hangs')], log: recorder.log });
    const controller = new AbortController();
    const call = host.call('hangs__hang', {}, { signal: controller.signal });
    await recorder.waitFor((entry) => entry.kind === 'notice' && entry.message.includes('calling hang'));
    controller.abort();
    expect(await call).toEqual({ isError: true, text: 'The call was cancelled.' });
    await recorder.waitFor((entry) => entry.kind === 'stderr' && entry.message.startsWith('fixture: cancelled'));
  });

  test('sampling, elicitation and roots requests get JSON-RPC errors, never silence', async ({ makeHost }) => {
    const host = await makeHost({ servers: [fixture('asker')] });
    const result = await host.call('asker__ask', {});
    const answers = JSON.parse(result.text) as Record<string, { error?: { code: number; message: string } }>;
    for (const method of ['sampling', 'elicitation', 'roots'] as const) {
      expect(answers[method]?.error?.code).toBe(-32601);
    }
    expect(answers.sampling?.error?.message).toContain('sampling/createMessage');
  });

  test('an elicitation handler answers when given', async ({ makeHost }) => {
    const host = await makeHost({
      servers: [fixture('asker')],
      handlers: { elicit: async () => ({ action: 'decline' }) },
    });
    const answers = JSON.parse((await host.call('asker__ask', {})).text) as Record<string, unknown>;
    expect(answers.elicitation).toEqual({ result: { action: 'decline' } });
  });

  test('list_changed waits as pending until applied at a safe point', async ({ makeHost }) => {
    let pendingCalls = 0;
    const host = await makeHost({ servers: [fixture('grow')], onToolsPending: () => pendingCalls++ });
    const before = host.tools();
    await host.call('grow__add_tool', { name: 'fresh' });
    await expect.poll(() => host.hasPendingToolChanges()).toBe(true);
    expect(host.tools()).toBe(before);
    expect(pendingCalls).toBe(1);
    expect(await host.applyPendingToolChanges()).toBe(true);
    expect(host.tools().map((tool) => tool.name)).toContain('grow__fresh');
    expect(host.hasPendingToolChanges()).toBe(false);
    expect(await host.applyPendingToolChanges()).toBe(false);
  });

  test('server stderr and log notifications go to the log callback', async ({ makeHost }) => {
    const recorder = new LogRecorder();
    const host = await makeHost({ servers: [fixture('chatty')], log: recorder.log });
    await host.call('chatty__echo', { text: 'x' });
    await recorder.waitFor((entry) => entry.server === 'chatty' && entry.kind === 'notice' && entry.message === 'info: calling echo');
  });

  test('a server that cannot start is a warning and the others still work', async ({ makeHost }) => {
    const warnings: string[] = [];
    const host = await makeHost({
      servers: [fixture('broken', ['--fail-start']), fixture('fine')],
      onWarning: (message) => warnings.push(message),
      backoff: { initialMs: 10, maxMs: 10, maxRestarts: 1 },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^MCP server "broken" did not start/);
    expect(host.tools().every((tool) => tool.server === 'fine')).toBe(true);
    expect((await host.call('fine__echo', { text: 'ok' })).text).toBe('fixture: ok');
    expect(host.servers().map((server) => [server.name, server.status.state])).toEqual([
      ['broken', 'restarting'],
      ['fine', 'ready'],
    ]);
  });

  test('media results become short text, with no base64 in the prompt', async ({ makeHost }) => {
    const host = await makeHost({ servers: [fixture('media')] });
    const result = await host.call('media__media', {});
    expect(result.text).toBe(
      [
        'here is everything',
        '[image image/png, 5.9 KB; not shown]',
        '[audio audio/wav, 300 bytes; not shown]',
        '[resource <file:///notes.txt> (text/plain)]\ninline notes',
        '[resource <file:///blob.bin> (application/octet-stream), 1.5 KB binary; not shown]',
        '[resource link linked.md <file:///linked.md> (text/markdown)]',
      ].join('\n'),
    );
    expect(result.structured).toEqual({ ok: true });
    expect(await host.call('nope', {})).toMatchObject({ isError: true });
  });
});
