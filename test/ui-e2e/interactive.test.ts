/**
 * The whole interactive UI in a real terminal: the compiled CLI in tmux against the
 * scripted model, with the real tool servers and a journal on disk. A task typed
 * into the prompt box, a read_file that streams by, a run_shell that waits for
 * approval and runs once approved, the final answer and the status bar; then Ctrl+C
 * twice quits with the journal closed, so `exec --resume last` can open it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, journalOf, makeRepo, planModel, sessionIds } from '../support/e2e-fixtures.js';
import { uiTest as test } from './support/tmux.js';

const ANSWER = 'add() subtracted; the check ran and wrote checked.txt.';

describe('the UI in a terminal', { timeout: 120_000 }, () => {
  test('a typed task streams tool calls, waits for approval, answers, and quits on Ctrl+C twice', async ({ scratch, server, home, terminal, endure }) => {
    const repo = makeRepo(scratch, 'work', { 'math.js': 'export const add = (a, b) => a - b;\n' });
    server.respondWith(
      planModel(
        [
          { reasoning: 'Look at math.js before changing anything.', toolCalls: [call('read_file', { path: 'math.js' })] },
          { content: 'Now the check.', toolCalls: [call('run_shell', { command: 'echo checked > checked.txt && cat checked.txt' })] },
        ],
        ANSWER,
      ),
    );
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'ask']);
    await terminal.waitFor('what should the agent do?');
    await terminal.type('check the add function');
    await terminal.waitFor('› check the add function');
    await terminal.press('Enter');

    const approval = await terminal.waitFor('approve run_shell?');
    expect(approval).toMatch(/✓ read_file math\.js · \d/);
    expect(approval).toContain('1 export const add = (a, b) => a - b;');
    expect(approval).toContain('echo checked > checked.txt && cat checked.txt');
    expect(approval).toMatch(/y yes · n no · a always/);
    expect(approval).not.toContain('waiting for the model');
    expect(existsSync(join(repo, 'checked.txt'))).toBe(false);
    await terminal.press('y');

    const done = await terminal.waitFor('● done');
    const [id] = sessionIds(home);
    expect(id).toBeDefined();
    expect(done).toMatch(/✓ run_shell echo checked > checked\.txt && cat checked\.txt · \d/);
    expect(done).toContain(ANSWER);
    expect(done).toContain(`qwen3.6-27b · llama · sandbox host · session ${id} · approval ask`);
    expect(done).toMatch(/turn 3 · 2 tool calls · [\d.]+k? in \/ \d+ out · cached \d+%(?: · prefilled [^·]+)? · context \d+% of 32\.8k/);

    await terminal.press('C-c');
    await terminal.waitFor('Press Ctrl+C again to quit.');
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(0);

    expect(readFileSync(join(repo, 'checked.txt'), 'utf8')).toBe('checked\n');
    const { records, torn } = journalOf(home, id!);
    expect(torn).toBe(false);
    const shellEnd = records.find((record) => record.kind === 'tool_end' && record.name === 'run_shell');
    expect(shellEnd).toMatchObject({ isError: false, content: expect.stringContaining('checked') });
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'done', result: ANSWER });

    const resumed = await endure.exec(['--resume', 'last', 'anything else?'], { cwd: repo }).done;
    expect(resumed.stderr).not.toMatch(/locked|held by/i);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`${ANSWER}\n`);
  });

  test('a session left without a message is removed on quit; one kept by /clear is not resumed without a message', async ({ scratch, server, home, terminal, endure }) => {
    const repo = makeRepo(scratch, 'work');
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo]);
    await terminal.waitFor('◆ session');
    const [first] = sessionIds(home);
    await terminal.type('/clear');
    await terminal.waitFor('› /clear');
    await terminal.press('Enter');
    await terminal.waitFor(`the previous one stays resumable: endure resume ${first}`);
    const second = sessionIds(home).find((id) => id !== first)!;
    await terminal.waitFor(`session ${second} · approval ask`);
    await terminal.press('C-c');
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(0);
    expect(sessionIds(home)).toEqual([first]);

    const resumed = await endure.exec(['--resume', 'last', '--output-format', 'json'], { cwd: repo }).done;
    expect(resumed.code).toBe(2);
    expect(resumed.stderr.trim().split('\n')).toEqual([`endure: session ${first} has no message yet, so there is nothing to continue: give one (endure exec --resume ${first} "<task>")`]);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ session_id: first, status: 'failed' });
    expect(server.requestCount).toBe(0);
  });
});
