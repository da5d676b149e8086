import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { ApprovalGate } from '../../src/agent/approval.js';
import type { ApprovalDecision, SessionDriver } from '../../src/agent/controls.js';
import type { ToolDescriptor } from '../../src/mcp/types.js';
import { App } from '../../src/ui/components/app.js';
import { SessionController } from '../../src/ui/session-controller.js';
import { initialViewState } from '../../src/ui/state.js';
import { ViewStore } from '../../src/ui/store.js';
import { Gate, ScriptedDriver, waitFor, type Script } from './support/scripted-driver.js';

afterEach(() => cleanup());

function mount(script: Script, info: Partial<SessionDriver['info']> = {}) {
  const driver = new ScriptedDriver(script, info);
  const store = new ViewStore(initialViewState(driver.info), { frameMs: 0 });
  let bells = 0;
  const controller = new SessionController(driver, store, { approvalPolicy: 'ask', bell: () => (bells += 1) });
  const screen = render(<App store={store} controls={controller} note="approval ask" />);
  const frame = () => screen.lastFrame() ?? '';
  const until = (condition: () => boolean) => waitFor(condition, frame);
  return { driver, store, controller, screen, frame, until, bells: () => bells };
}

const ESC = '\u001B';
const CTRL_C = '\u0003';
const CTRL_O = '\u000F';

describe('finished items and the live turn', () => {
  test('finished items are drawn above the live turn; a running tool shows a spinner line, then its result', async () => {
    const gate = new Gate();
    const { controller, frame, until } = mount(async function* (run) {
      yield { type: 'user_message', content: run.message };
      yield { type: 'turn_start' };
      yield { type: 'reasoning_delta', text: 'The bug is in a.ts.' };
      yield { type: 'content_delta', text: 'Reading the file.' };
      yield { type: 'assistant_message', content: 'Reading the file.', reasoning: 'The bug is in a.ts.', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' }] };
      yield { type: 'tool_start', callId: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' };
      await gate.wait();
      yield { type: 'tool_end', callId: 'c1', name: 'read_file', isError: false, content: '1 one\n2 two\n3 three\n4 four\n5 five', durationMs: 12 };
    });
    controller.submit('fix the bug');
    await until(() => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] read_file src\/a\.ts · \d/.test(frame()));
    const running = frame();
    expect(running.indexOf('› fix the bug')).toBeLessThan(running.indexOf('Reading the file.'));
    expect(running.indexOf('Reading the file.')).toBeLessThan(running.indexOf('read_file src/a.ts'));
    // Reasoning from the event at +300 ms to the first answer text at +400 ms.
    expect(running).toContain('✻ thought for 0.1s: The bug is in a.ts.');
    gate.open();
    await until(() => frame().includes('✓ read_file src/a.ts · 12ms'));
    expect(frame()).toContain('  1 one\n  2 two\n  3 three\n  … 2 more lines');
    expect(frame()).not.toContain('characters');
    expect(frame()).not.toContain('4 four');
  });

  test('ctrl+o opens the whole last result under the live turn', async () => {
    const { controller, screen, frame, until } = mount(async function* () {
      yield { type: 'tool_start', callId: 'c1', name: 'run_shell', arguments: '{"command":"ls"}' };
      yield { type: 'tool_end', callId: 'c1', name: 'run_shell', isError: false, content: 'a\nb\nc\nd\nexit code: 0', durationMs: 4 };
    });
    controller.submit('list');
    await until(() => frame().includes('✓ run_shell ls'));
    screen.stdin.write(CTRL_O);
    await until(() => frame().includes('run_shell ls · ctrl+o closes'));
    expect(frame()).toContain('exit code: 0');
  });

  test('an edit is shown as a coloured diff built from its arguments', async () => {
    const args = JSON.stringify({ path: 'src/a.ts', old_string: 'return a - b;', new_string: 'return a + b;' });
    const { controller, frame, until } = mount(async function* () {
      yield { type: 'tool_start', callId: 'e1', name: 'edit_file', arguments: args };
      yield { type: 'tool_end', callId: 'e1', name: 'edit_file', isError: false, content: 'edited src/a.ts', durationMs: 2 };
    });
    controller.submit('fix');
    await until(() => frame().includes('✓ edit_file src/a.ts'));
    expect(frame()).toContain('  src/a.ts\n  @@\n  -return a - b;\n  +return a + b;');
  });

  test('streaming reasoning is folded by default and tab shows it', async () => {
    const gate = new Gate();
    const { controller, screen, frame, until } = mount(async function* () {
      yield { type: 'turn_start' };
      yield { type: 'reasoning_delta', text: 'first I will check the tests' };
      await gate.wait();
    });
    controller.submit('go');
    await until(() => /thinking · [\d.]+s · tab shows it/.test(frame()));
    expect(frame()).not.toContain('first I will check the tests');
    screen.stdin.write('\t');
    await until(() => frame().includes('first I will check the tests'));
    expect(frame()).toContain('tab hides it');
    gate.open();
  });

  test('the status bar shows where the session runs and its figures', async () => {
    const gate = new Gate();
    const { controller, frame, until } = mount(
      async function* () {
        yield { type: 'session_start', resumed: false, model: 'qwen3-coder-30b', server: 'vllm', baseURL: 'http://h/v1', sandbox: 'bwrap', workspace: '/w', task: 't', contextWindow: 131_072 };
        yield { type: 'turn_start' };
        yield { type: 'turn_start' };
        yield { type: 'tool_start', callId: 'c1', name: 'read_file', arguments: '{"path":"a"}' };
        yield { type: 'tool_end', callId: 'c1', name: 'read_file', isError: false, content: 'x', durationMs: 1 };
        yield { type: 'usage', usage: { promptTokens: 55_000, completionTokens: 300 }, totals: { promptTokens: 120_300, completionTokens: 8_100, cachedTokens: 96_240 }, contextTokens: 55_050 };
        await gate.wait();
      },
      { budgets: { maxTurns: 10, maxToolCalls: 50, maxTokens: 1_000_000 } },
    );
    controller.submit('go');
    await until(() => frame().includes('120.3k in'));
    const status = frame();
    expect(status).toContain('qwen3-coder-30b · vllm · sandbox bwrap · session s-test · approval ask');
    expect(status.replace(/\s+/g, ' ')).toMatch(/turn 2 · 1 tool call · 120\.3k in \/ 8\.1k out · cached 80%(?: · prefilled [^·]+)? · context 42% of 131\.1k · [\d.]+(ms|s) · left: 8 turns, 49 tool calls, 871\.6k tokens/);
    gate.open();
  });
});

describe('input', () => {
  test('typing a task and pressing enter starts a run with it', async () => {
    const { driver, screen, frame, until } = mount(async function* (run) {
      yield { type: 'user_message', content: run.message };
    });
    await until(() => frame().includes('what should the agent do?'));
    screen.stdin.write('add a test');
    await until(() => frame().includes('› add a test'));
    screen.stdin.write('\r');
    await until(() => driver.runs.length === 1);
    expect(driver.runs[0]?.message).toBe('add a test');
    await until(() => frame().includes('a follow-up'));
    expect(frame()).toContain('› add a test\n');
  });

  test('a message typed while the agent works is queued for the next tool boundary', async () => {
    const typed = new Gate();
    const { driver, screen, frame, until } = mount(async function* (run) {
      yield { type: 'tool_start', callId: 'c1', name: 'run_shell', arguments: '{"command":"make"}' };
      await typed.wait();
      yield { type: 'tool_end', callId: 'c1', name: 'run_shell', isError: false, content: 'ok', durationMs: 1 };
      for (const message of run.steering.take()) yield { type: 'user_message', content: message, steering: true };
    });
    screen.stdin.write('build it');
    screen.stdin.write('\r');
    await until(() => frame().includes('run_shell make ·'));
    screen.stdin.write('also run the tests');
    screen.stdin.write('\r');
    await until(() => frame().includes('⧗ queued: also run the tests'));
    expect(driver.steering.size).toBe(1);
    expect(driver.runs).toHaveLength(1);
    typed.open();
    await until(() => frame().includes('» also run the tests (steering)'));
    expect(frame()).not.toContain('queued:');
  });

  test('esc aborts the signal of the current run', async () => {
    const { driver, controller, screen, frame, until } = mount(async function* (run) {
      yield { type: 'tool_start', callId: 'c1', name: 'run_shell', arguments: '{"command":"sleep 100"}' };
      await run.aborted();
      yield { type: 'tool_end', callId: 'c1', name: 'run_shell', isError: true, content: 'cancelled', durationMs: 9, outcome: 'cancelled' };
      yield { type: 'session_end', status: 'interrupted', result: '', turns: 1, toolCalls: 1, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, durationMs: 10 };
    });
    controller.submit('wait');
    await until(() => frame().includes('run_shell sleep 100 ·'));
    screen.stdin.write(ESC);
    await until(() => driver.runs[0]?.signal.aborted === true);
    await until(() => frame().includes('● interrupted'));
    expect(frame()).toContain('⊘ run_shell sleep 100 · cancelled');
  });

  test('ctrl+c twice closes the driver and settles with the exit code', async () => {
    const { driver, controller, screen, frame, until } = mount(async function* () {
      yield { type: 'session_end', status: 'done', result: 'ok', turns: 1, toolCalls: 0, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, durationMs: 10 };
    });
    controller.submit('hi');
    await until(() => frame().includes('● done'));
    screen.stdin.write(CTRL_C);
    await until(() => frame().includes('Press Ctrl+C again to quit.'));
    expect(driver.closeCount).toBe(0);
    screen.stdin.write(CTRL_C);
    await expect(controller.closed).resolves.toBe(0);
    expect(driver.closeCount).toBe(1);
  });
});

describe('approvals', () => {
  const runShell: ToolDescriptor = {
    name: 'run_shell', server: 'shell', mcpName: 'run_shell', description: '', inputSchema: { type: 'object' },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  };

  /** Each command goes through the agent's real gate, which asks the UI; `decisions` are the UI's answers. */
  function approvalScript(decisions: ApprovalDecision[], commands: string[]): Script {
    return async function* (run) {
      const gate = new ApprovalGate({ policy: 'ask' }, async (request, signal) => {
        const decision = await run.approver!(request, signal);
        decisions.push(decision);
        return decision;
      });
      for (const [index, command] of commands.entries()) {
        const outcome = await gate.check(runShell, `c${index}`, { command }, run.signal);
        yield { type: 'tool_start', callId: `c${index}`, name: 'run_shell', arguments: JSON.stringify({ command }) };
        yield { type: 'tool_end', callId: `c${index}`, name: 'run_shell', isError: false, content: `ran ${index}`, durationMs: 1, ...(outcome.run ? {} : { outcome: 'denied' as const }) };
      }
    };
  }

  test('y and n resolve the approver, each prompt rings the bell', async () => {
    const decisions: ApprovalDecision[] = [];
    const { controller, screen, frame, until, bells } = mount(approvalScript(decisions, ['npm test', 'rm -rf build']));
    controller.submit('go');
    await until(() => frame().includes('approve run_shell?'));
    expect(frame()).toContain('run_shell: npm test');
    expect(frame()).toContain('a always (run_shell `npm test *`)');
    expect(bells()).toBe(1);
    screen.stdin.write('y');
    await until(() => frame().includes('run_shell: rm -rf build'));
    expect(bells()).toBe(2);
    screen.stdin.write('n');
    await until(() => decisions.length === 2);
    expect(decisions).toEqual(['yes', 'no']);
    await until(() => frame().includes('⊘ run_shell rm -rf build · denied'));
  });

  test('a makes the gate remember exactly the scope shown; a chained or substituted command is asked again', async () => {
    const decisions: ApprovalDecision[] = [];
    const { controller, screen, frame, until, bells } = mount(
      approvalScript(decisions, ['npm test', 'npm test -- a.test.ts', 'npm test && npm publish', 'echo $(npm test)']),
    );
    controller.submit('go');
    await until(() => frame().includes('run_shell: npm test'));
    screen.stdin.write('a');
    await until(() => frame().includes('run_shell: npm test && npm publish'));
    expect(frame()).toContain('a always (run_shell `npm test *` and run_shell `npm publish *`)');
    expect(decisions).toEqual(['always']);
    expect(bells()).toBe(2);
    screen.stdin.write('n');
    await until(() => frame().includes('run_shell: echo $(npm test)'));
    expect(frame()).toContain('always not offered: it has a command substitution');
    screen.stdin.write('a');
    screen.stdin.write('y');
    await until(() => decisions.length === 3);
    expect(decisions).toEqual(['always', 'no', 'yes']);
  });

  test('esc during an approval rejects it through the signal', async () => {
    let outcome = '';
    const { controller, screen, frame, until } = mount(async function* (run) {
      try {
        await run.approver!({ callId: 'c', tool: 'write_file', args: { path: 'a' }, summary: 'write a', preview: '--- a\n+++ a\n@@ -0,0 +1 @@\n+x' }, run.signal);
        outcome = 'resolved';
      } catch {
        outcome = 'rejected';
      }
      yield { type: 'warning', message: `approval ${outcome}` };
    });
    controller.submit('go');
    await until(() => frame().includes('+x'));
    screen.stdin.write(ESC);
    await until(() => outcome !== '');
    expect(outcome).toBe('rejected');
    await until(() => !frame().includes('approve write_file?'));
  });
});
