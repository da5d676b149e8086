/**
 * /compact in a real terminal: while idle it compacts at once, and while the
 * agent works it compacts before the next turn; both times the journal holds a
 * compaction record, as an automatic compaction would leave, and the summary
 * request is a compaction request (tool_choice none), never a turn.
 */
import { describe, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReceivedRequest, Step } from '../support/scripted-server.js';
import { journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import { compactionAnswer, isCompactionRequest } from '../long-session/support.js';
import { Gate } from '../ui/support/scripted-driver.js';
import { uiTest as test, type TmuxTerminal } from './support/tmux.js';

async function submit(terminal: TmuxTerminal, text: string): Promise<void> {
  await terminal.type(text);
  await terminal.waitFor(`› ${text}`);
  await terminal.press('Enter');
}

describe('/compact in a terminal', { timeout: 120_000 }, () => {
  test('compacts now when idle, and before the next turn while the agent works', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work', { 'AGENTS.md': 'RULE ONE\n', 'a.txt': `${'alpha '.repeat(60)}\n`.repeat(40), 'b.txt': `${'beta '.repeat(60)}\n`.repeat(40) });
    const working = new Gate();
    const asked = new Gate();
    const turns: (() => Step | Promise<Step>)[] = [
      () => ({ toolCalls: [{ id: 'c1', name: 'read_file', arguments: { path: 'a.txt' } }] }),
      () => ({ content: 'Read a.' }),
      async () => {
        asked.open();
        await working.wait();
        return { toolCalls: [{ id: 'c2', name: 'read_file', arguments: { path: 'b.txt' } }] };
      },
      () => ({ content: 'Read b.' }),
    ];
    let compactions = 0;
    let turn = 0;
    server.respondWith((request) => {
      if (isCompactionRequest(request)) {
        compactions += 1;
        return compactionAnswer({ done: ['read files'], remaining: [], nextStep: 'answer' }, `- compaction ${compactions}`);
      }
      return turns[turn++]!();
    });
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'ask']);
    await terminal.waitFor('what should the agent do?');
    await submit(terminal, 'read a.txt');
    await terminal.waitFor('Read a.');
    await terminal.waitFor('● done');

    // An edited AGENTS.md takes effect at the next compaction (the prefix changes there anyway).
    writeFileSync(join(repo, 'AGENTS.md'), 'RULE TWO\n');
    await submit(terminal, '/compact');
    await terminal.waitFor(/context compacted: \d+ messages → a summary/);
    expect(compactions).toBe(1);
    const [id] = sessionIds(home);
    expect(journalOf(home, id!).records.filter((record) => record.kind === 'compaction')).toHaveLength(1);

    await submit(terminal, 'now b.txt');
    await asked.wait();
    await submit(terminal, '/compact');
    await terminal.waitFor('the conversation is compacted before the next turn');
    expect(compactions).toBe(1);
    const system = (request: ReceivedRequest) => (request.body.messages as { role: string; content: string }[])[0]!.content;
    const turnRequests = server.requests.filter((request) => !isCompactionRequest(request));
    expect(system(turnRequests[0]!)).toContain('RULE ONE');
    expect(system(turnRequests.at(-1)!)).toContain('RULE TWO');
    expect(system(turnRequests.at(-1)!)).not.toContain('RULE ONE');
    working.open();
    await terminal.waitFor('Read b.');
    expect(compactions).toBe(2);
    const records = journalOf(home, id!).records;
    const compacted = records.filter((record) => record.kind === 'compaction');
    expect(compacted).toHaveLength(2);
    expect(compacted[1]).toMatchObject({ summary: expect.stringContaining('- compaction 2') });
    // The second compaction came after b.txt was read and before the answer.
    const kinds = records.map((record) => (record.kind === 'tool_end' ? `tool_end ${record.name}` : record.kind));
    expect(kinds.slice(kinds.lastIndexOf('tool_end read_file'))).toEqual(['tool_end read_file', 'compaction', 'assistant', 'end']);

    await submit(terminal, '/quit');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
