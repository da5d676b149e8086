/**
 * `endure resume` opens on the earlier conversation: the journal's last finished
 * items and the status figures so far, then the next run appends below them. Once
 * through runInteractive with a long journal (only the last items are drawn, a run
 * cut off by a crash leaves nothing live), once with the real CLI in tmux.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { AgentEventBody } from '../../src/agent/events.js';
import type { JournalRecord } from '../../sessions/records.js';
import { HISTORY_ITEMS } from '../../src/ui/history.js';
import { runInteractive } from '../../src/ui/index.js';
import { formatSeconds } from '../../src/ui/format.js';
import { call, journalOf, planModel, sessionIds } from '../support/e2e-fixtures.js';
import { terminal } from '../ui/support/fake-terminal.js';
import { ScriptedDriver, waitFor } from '../ui/support/scripted-driver.js';
import { uiTest as test } from './support/tmux.js';

const T0 = Date.UTC(2026, 3, 1, 9);

/** A journal of `reads` read_file turns, an answer, then a run that died inside a call. */
function longJournal(reads: number): JournalRecord[] {
  let seq = 0;
  let t = T0;
  const records: JournalRecord[] = [];
  const add = (body: Record<string, unknown>) => records.push({ seq: ++seq, t: (t += 1000), ...body } as JournalRecord);
  add({
    kind: 'session_start', sessionId: 'old1', version: '0.1.0', task: 'read everything', cwd: '/w', workspace: '/w',
    endpoint: { baseURL: 'http://127.0.0.1:8080/v1', server: 'llama', model: 'qwen3-coder', contextWindow: 32_768 },
    sandbox: 'host', thinking: true, systemPrompt: 'sys', tools: ['read_file', 'run_shell'], settings: {},
  });
  add({ kind: 'user', content: 'read everything' });
  for (let turn = 1; turn <= reads; turn += 1) {
    const id = `r${turn}`;
    const args = JSON.stringify({ path: `src/file-${turn}.ts` });
    add({ kind: 'assistant', turn, content: '', toolCalls: [{ id, type: 'function', function: { name: 'read_file', arguments: args } }], finish: 'tool_calls', usage: { promptTokens: 1000, completionTokens: 20, cachedTokens: 900 } });
    add({ kind: 'tool_start', callId: id, name: 'read_file', replayable: true });
    add({ kind: 'tool_end', callId: id, name: 'read_file', isError: false, content: `contents of file ${turn}`, durationMs: 3 });
  }
  add({ kind: 'assistant', turn: reads + 1, content: 'Read them all.', finish: 'stop', usage: { promptTokens: 1000, completionTokens: 5, cachedTokens: 900 } });
  add({ kind: 'end', status: 'done', result: 'Read them all.' });
  add({ kind: 'user', content: 'now run the tests' });
  add({ kind: 'assistant', turn: reads + 2, content: '', toolCalls: [{ id: 'sh', type: 'function', function: { name: 'run_shell', arguments: '{"command":"npm test"}' } }], finish: 'tool_calls' });
  add({ kind: 'tool_start', callId: 'sh', name: 'run_shell', replayable: false });
  return records;
}

describe('resume shows the history', { timeout: 120_000 }, () => {
  test('runInteractive draws the last items of a long journal and its figures, then runs on below them', async () => {
    const io = terminal();
    const reads = 80;
    const driver = new ScriptedDriver(
      async function* (run): AsyncIterable<AgentEventBody> {
        yield { type: 'user_message', content: run.message };
        yield { type: 'assistant_message', content: 'Tests pass.', toolCalls: [] };
        yield { type: 'session_end', status: 'done', result: 'Tests pass.', turns: reads + 3, toolCalls: reads, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, durationMs: 5 };
      },
      { sessionId: 'old1', contextWindow: 32_768 },
    );
    const exit = runInteractive(driver, { ...io, history: longJournal(reads), approvalPolicy: 'auto' });
    // Not a terminal on the output side: ink writes finished items as they come and the rest at exit.
    await waitFor(() => io.stdout.output.includes('› now run the tests'), () => io.stdout.output);
    const before = io.stdout.output;
    // session, task, one item per read, answer, end, the follow-up: the first ones stay in the journal.
    const items = 2 + reads + 3;
    expect(before).toContain(`… ${items - HISTORY_ITEMS} earlier items are not shown (endure sessions show old1 prints them all)`);
    expect(before).not.toContain('session old1 started');
    expect(before).not.toContain('read_file src/file-1.ts ·');
    expect(before).toContain(`✓ read_file src/file-${reads}.ts · 3ms`);
    expect(before).toContain('Read them all.');
    expect(before).toContain('● done · 81 turns · 80 tool calls');

    io.stdin.type('run them again');
    io.stdin.type('\r');
    await waitFor(() => io.stdout.output.includes('Tests pass.'), () => io.stdout.output);
    expect(driver.runs[0]?.message).toBe('run them again');
    io.stdin.type('\u0003');
    io.stdin.type('\u0003');
    await expect(exit).resolves.toBe(0);
    const screen = io.stdout.output;
    expect(screen).not.toContain('run_shell npm test');
    expect(screen.indexOf('› now run the tests')).toBeLessThan(screen.indexOf('› run them again'));
    // The figures go on from the journal's; the elapsed time is this run's alone.
    expect(screen.replace(/\s+/g, ' ')).toMatch(new RegExp(`turn ${reads + 3} · ${reads} tool calls · 81k in / 1.6k out · cached 90%(?: · prefilled [^·]+)? · context 3% of 32.8k · \\d+ms`));
  });

  test('endure resume in a terminal opens on the earlier conversation and the status so far', async ({ server, repo, home, terminal, endure }) => {
    writeFileSync(join(repo, 'AGENTS.md'), 'Run the tests before you answer.\n');
    server.respondWith(
      planModel(
        [
          // Paced chunks: the reasoning takes a measurable time before the first answer text.
          { reasoning: 'Start with the readme.', content: 'Reading it.', toolCalls: [call('read_file', { path: 'README.md' })], chunkDelayMs: 20 },
          { content: 'The readme says: e2e workspace.' },
        ],
        'Nothing more to add.',
      ),
    );
    const first = await endure.exec(['summarise the readme']).done;
    expect(first.code).toBe(0);
    const [id] = sessionIds(home);
    const thought = journalOf(home, id!).records.find((record) => record.kind === 'assistant' && record.reasoning !== undefined);
    const reasoningMs = thought?.kind === 'assistant' ? thought.reasoningMs : undefined;
    expect(reasoningMs).toBeGreaterThan(0);

    await terminal.endure(['resume', 'last', '--base-url', server.url, '--sandbox', 'host', '--approval', 'ask']);
    const opened = await terminal.waitFor('a follow-up, or Ctrl+C twice to quit');
    expect(opened).toContain(`◆ session ${id} started`);
    // As the live view showed them: the instruction files read, and how long each reasoning block took.
    expect(opened.replace(/\s+/g, ' ')).toContain(`· instructions AGENTS.md`);
    expect(opened).toContain(`✻ thought for ${formatSeconds(reasoningMs!)}: Start with the readme.`);
    expect(opened).toContain('› summarise the readme');
    expect(opened).toMatch(/✓ read_file README\.md · \d/);
    expect(opened).toContain('The readme says: e2e workspace.');
    expect(opened).toMatch(/● done · 2 turns · 1 tool call /);
    expect(opened).toMatch(/turn 2 · 1 tool call · [\d.]+k? in \/ \d+ out/);

    await terminal.type('anything else?');
    await terminal.waitFor('› anything else?');
    await terminal.press('Enter');
    const after = await terminal.waitFor('Nothing more to add.');
    expect(after).toContain(`◆ session ${id} resumed`);
    expect(after.indexOf('The readme says')).toBeLessThan(after.indexOf(`session ${id} resumed`));
    await terminal.waitFor(/turn 3 · 1 tool call /);
    await terminal.press('C-c');
    await terminal.waitFor('Press Ctrl+C again to quit.');
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
