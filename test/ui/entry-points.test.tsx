import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import type { JournalRecord } from '../../sessions/records.js';
import { SessionPicker, type SessionChoice } from '../../src/ui/components/session-picker.js';
import { BELL, journalToEvents, pickSession, replayDelay, runInteractive, runReplay } from '../../src/ui/index.js';
import { Gate, ScriptedDriver, waitFor } from './support/scripted-driver.js';
import { terminal } from './support/fake-terminal.js';

afterEach(() => cleanup());

const NOW = Date.UTC(2026, 5, 1, 12);
const sessions: SessionChoice[] = [
  { id: 'aaa111', status: 'done', task: 'add a CLI flag', lastActivity: NOW - 5 * 60_000 },
  { id: 'bbb222', status: 'interrupted', task: 'fix the flaky test', lastActivity: new Date(NOW - 3 * 3_600_000) },
  { id: 'ccc333', status: 'failed', task: 'port to Node 22', lastActivity: NOW - 2 * 86_400_000 },
];

describe('session picker', () => {
  test('lists status, age and task; arrows move and enter picks', async () => {
    const picked: (string | undefined)[] = [];
    const screen = render(<SessionPicker sessions={sessions} now={NOW} onDone={(id) => picked.push(id)} />);
    const frame = () => screen.lastFrame() ?? '';
    expect(frame()).toMatch(/❯ done\s+5m ago\s+add a CLI flag\s+aaa111/);
    expect(frame()).toMatch(/interrupted\s+3h ago\s+fix the flaky test/);
    expect(frame()).toMatch(/failed\s+2d ago\s+port to Node 22/);
    screen.stdin.write('\u001B[B');
    await waitFor(() => /❯ interrupted/.test(frame()), frame);
    screen.stdin.write('\r');
    await waitFor(() => picked.length === 1, frame);
    expect(picked).toEqual(['bbb222']);
  });

  test('pickSession resolves undefined on q, and does not draw for an empty list', async () => {
    const io = terminal();
    const choice = pickSession(sessions, { ...io, now: () => NOW });
    await waitFor(() => io.stdin.listenerCount('readable') > 0);
    io.stdin.type('q');
    await expect(choice).resolves.toBeUndefined();
    expect(io.stdout.output).toContain('Resume which session?');
    await expect(pickSession([], terminal())).resolves.toBeUndefined();
  });
});

describe('runInteractive', () => {
  test('runs the initial task, rings the bell at the end, quits on ctrl+c twice with the run status', async () => {
    const io = terminal();
    const driver = new ScriptedDriver(async function* (run) {
      yield { type: 'user_message', content: run.message };
      yield { type: 'assistant_message', content: 'All done: 2 files changed.', toolCalls: [] };
      yield { type: 'session_end', status: 'done', result: 'All done', turns: 1, toolCalls: 0, usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 0 }, durationMs: 50 };
    });
    const exit = runInteractive(driver, { ...io, initialTask: 'change two files', approvalPolicy: 'auto' });
    await waitFor(() => io.stdout.output.includes('● done'), () => io.stdout.output);
    expect(driver.runs[0]?.message).toBe('change two files');
    // The approver is handed over under every policy: the loop's gate asks it only while the policy is `ask` (/approval may switch it).
    expect(driver.runs[0]?.approver).toBeTypeOf('function');
    expect(io.stdout.output).toContain(BELL);
    expect(io.stdout.output).toContain('All done: 2 files changed.');
    io.stdin.type('\u0003');
    io.stdin.type('\u0003');
    await expect(exit).resolves.toBe(0);
    expect(driver.closeCount).toBe(1);
  });

  test('quitting while a run works aborts it and exits 130; the signal option quits too', async () => {
    const io = terminal();
    const started = new Gate();
    const driver = new ScriptedDriver(async function* (run) {
      yield { type: 'tool_start', callId: 'c', name: 'run_shell', arguments: '{"command":"sleep 9"}' };
      started.open();
      await run.aborted();
    });
    const stop = new AbortController();
    const exit = runInteractive(driver, { ...io, initialTask: 'wait', approvalPolicy: 'ask', signal: stop.signal });
    await started.wait();
    expect(driver.runs[0]?.approver).toBeTypeOf('function');
    stop.abort();
    await expect(exit).resolves.toBe(130);
    expect(driver.runs[0]?.signal.aborted).toBe(true);
    expect(driver.closeCount).toBe(1);
  });

  test('without a terminal on stdin it says so and exits 2', async () => {
    const io = terminal(false);
    const driver = new ScriptedDriver(async function* () {});
    await expect(runInteractive(driver, { ...io, approvalPolicy: 'ask' })).resolves.toBe(2);
    expect(io.stderr.output).toMatch(/needs a terminal on stdin; use `endure exec`/);
    expect(driver.closeCount).toBe(1);
  });
});

const T0 = Date.UTC(2026, 5, 1, 9);
const records: JournalRecord[] = [
  {
    seq: 1,
    t: T0,
    kind: 'session_start',
    sessionId: 'rec1',
    version: '0.1.0',
    task: 'fix add()',
    cwd: '/w',
    workspace: '/w',
    endpoint: { baseURL: 'http://127.0.0.1:8080/v1', server: 'llama', model: 'qwen3-coder', contextWindow: 32_768 },
    sandbox: 'host',
    thinking: true,
    systemPrompt: 'sys',
    tools: ['read_file', 'edit_file'],
    settings: {},
  },
  { seq: 2, t: T0 + 10, kind: 'user', content: 'fix add()' },
  {
    seq: 3,
    t: T0 + 2000,
    kind: 'assistant',
    turn: 1,
    content: 'Fixing the sign.',
    reasoning: 'add() subtracts; flip the operator.',
    toolCalls: [{ id: 'e1', type: 'function', function: { name: 'edit_file', arguments: '{"path":"src/add.ts","old_string":"a - b","new_string":"a + b"}' } }],
    finish: 'tool_calls',
    usage: { promptTokens: 1200, completionTokens: 40, cachedTokens: 1000 },
    modelMs: 1500,
  },
  { seq: 4, t: T0 + 2010, kind: 'tool_start', callId: 'e1', name: 'edit_file', replayable: false },
  { seq: 5, t: T0 + 2040, kind: 'tool_end', callId: 'e1', name: 'edit_file', isError: false, content: 'edited src/add.ts', durationMs: 30 },
  { seq: 6, t: T0 + 4000, kind: 'assistant', turn: 2, content: 'add() now adds.', finish: 'stop', usage: { promptTokens: 1300, completionTokens: 10, cachedTokens: 1240 } },
  { seq: 7, t: T0 + 4001, kind: 'end', status: 'done', result: 'add() now adds.' },
];

describe('replay', () => {
  test('journal records become the events the loop emitted, in order', async () => {
    const events = [];
    for await (const event of journalToEvents(records)) events.push(event);
    const types = events.map((event) => event.type).filter((type, index, all) => type !== all[index - 1]);
    expect(types).toEqual([
      'session_start', 'user_message', 'turn_start', 'reasoning_delta', 'content_delta', 'assistant_message', 'usage',
      'tool_start', 'tool_end', 'turn_start', 'content_delta', 'assistant_message', 'usage', 'session_end',
    ]);
    // seq is the journal position, as the live loop's: each event carries the seq of the record it comes from.
    const seqs = events.map((event) => event.seq);
    expect(seqs.every((seq, index) => index === 0 || seq >= seqs[index - 1]!)).toBe(true);
    expect(events.find((event) => event.type === 'tool_end')!.seq).toBe(5);
    expect(events.at(-1)!.seq).toBe(7);
    expect(events.every((event) => event.session === 'rec1')).toBe(true);
    const toolStart = events.find((event) => event.type === 'tool_start');
    expect(toolStart).toMatchObject({ arguments: '{"path":"src/add.ts","old_string":"a - b","new_string":"a + b"}' });
    const deltas = events.filter((event) => event.type === 'reasoning_delta' || event.type === 'content_delta');
    expect(deltas[0]!.time).toBeGreaterThanOrEqual(T0 + 500);
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'session_end', status: 'done', turns: 2, toolCalls: 1, durationMs: 4001, usage: { promptTokens: 2500, completionTokens: 50, cachedTokens: 2240 } });
  });

  test('speed scales the recorded gaps, capped; speed 0 never waits', () => {
    expect(replayDelay(1000, 2)).toBe(500);
    expect(replayDelay(3_600_000, 1)).toBe(1500);
    expect(replayDelay(3_600_000, 10, 400)).toBe(400);
    expect(replayDelay(1000, 0)).toBe(0);
  });

  test('runReplay plays a small journal through the UI and exits 0', async () => {
    const io = terminal();
    await expect(runReplay(records, { ...io, speed: 0 })).resolves.toBe(0);
    const output = io.stdout.output;
    expect(output).toContain('› fix add()');
    expect(output).toContain('✓ edit_file src/add.ts');
    expect(output).toContain('+a + b');
    expect(output).toContain('add() now adds.');
    expect(output).toContain('● done');
    expect(output.replace(/\s+/g, ' ')).toMatch(/turn 2 · 1 tool call · 2\.5k in \/ 50 out · cached 90%(?: · prefilled [^·]+)? · context 4% of 32\.8k/);
    expect(output).toContain('replay, fastest');
  });

  test('q stops a slow replay early; a bad speed is a one-line error', async () => {
    const io = terminal();
    const playing = runReplay(records, { ...io, speed: 0.001 });
    await waitFor(() => io.stdout.output.includes('session rec1 started') || io.stdout.output.length > 0);
    io.stdin.type('q');
    await expect(playing).resolves.toBe(130);
    const bad = terminal();
    await expect(runReplay(records, { ...bad, speed: -1 })).resolves.toBe(2);
    expect(bad.stderr.output).toMatch(/--speed must be a number ≥ 0/);
  });
});
