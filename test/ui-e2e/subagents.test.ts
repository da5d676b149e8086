/**
 * Subagents in the real terminal UI (the compiled CLI in tmux, the scripted
 * model answering the parent and each child from their own scripts): each
 * running child shows under its task line with its current state and figures;
 * Esc interrupts the parent and with it both children, whose journals end
 * interrupted and whose tasks end cancelled.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import { agentScripts } from '../support/agent-scripts.js';
import { call, journalOf, makeRepo, sessionIds, waitFor } from '../support/e2e-fixtures.js';
import { uiTest as test } from './support/tmux.js';

describe('subagents in the UI', { timeout: 120_000 }, () => {
  test('running children show under their task lines; Esc cancels the parent and its children', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work', { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' });
    let hanging = 0;
    const hang = () => {
      hanging += 1;
      return { type: 'hang' as const };
    };
    const model = agentScripts({
      parent: [{ toolCalls: [call('task', { description: 'look at a', prompt: 'Read a.txt' }), call('task', { description: 'look at b', prompt: 'Read b.txt' })] }],
      children: {
        'Read a.txt': [{ toolCalls: [call('read_file', { path: 'a.txt' })] }, hang],
        'Read b.txt': [{ toolCalls: [call('read_file', { path: 'b.txt' })] }, hang],
      },
    });
    server.respondWith(model.decide);
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo]);
    await terminal.waitFor('what should the agent do?');
    await terminal.type('read both files');
    await terminal.waitFor('› read both files');
    await terminal.press('Enter');

    await waitFor(() => hanging === 2, 'both children to wait on the model');
    // Both lines at once: the two children's events reach the screen in the order they happened, either first.
    const child = (description: string) => `task \\(read\\) ${description}[^\\n]*\\n\\s*⎿ thinking · 1 turn · 1 tool call · [\\d.]+k? tokens`;
    await terminal.waitFor(new RegExp(`${child('look at a')}[\\s\\S]*${child('look at b')}`));

    await terminal.press('Escape');
    const ended = await terminal.waitFor('● interrupted');
    expect(ended).toMatch(/⊘ task \(read\) look at a/);
    expect(ended).not.toContain('⎿ thinking');

    const [id] = sessionIds(home);
    const ends = journalOf(home, id!).records.filter((record) => record.kind === 'tool_end');
    expect(ends).toMatchObject([
      { name: 'task', outcome: 'cancelled', agent: { id: 't1-p_call_0_0', status: 'interrupted', toolCalls: 1 } },
      { name: 'task', outcome: 'cancelled', agent: { id: 't1-p_call_0_1', status: 'interrupted', toolCalls: 1 } },
    ]);
    for (const child of ['t1-p_call_0_0', 't1-p_call_0_1']) {
      const records = readJournal(join(home, 'sessions', id!, 'agents', child, 'journal.jsonl')).records;
      expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'interrupted' });
    }
  });
});
