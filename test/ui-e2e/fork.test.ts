/**
 * /fork in a real terminal: the UI forks its own session (at a turn, or its last
 * one), prints the new id and how to continue it, and leaves the parent's journal
 * as it was; `exec --resume` of the fork sends the conversation of the fork's
 * turn. And the other way round: a fork resumed in the UI (its own worktree) lists
 * the turns it inherited in /rewind and rewinds to one of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { ReceivedRequest, Step } from '../support/scripted-server.js';
import { call, journalOf, journalPath, makeRepo, planModel, sessionIds, turnOf, workspaceFiles, type PlanStep } from '../support/e2e-fixtures.js';
import { uiTest as test, type TmuxTerminal } from './support/tmux.js';

/** Types a line and presses Enter once it shows (text and Enter in one read would be a paste). */
async function submit(terminal: TmuxTerminal, text: string): Promise<void> {
  await terminal.type(text);
  await terminal.waitFor(`› ${text}`);
  await terminal.press('Enter');
}

/** Three turns: two write a file each, the third answers. `copies` gets the workspace at the end of each. */
function work(repo: () => string, copies: Map<number, Record<string, string>>): PlanStep[] {
  const at = (step: Step) => (request: ReceivedRequest) => {
    copies.set(turnOf(request), workspaceFiles(repo()));
    return step;
  };
  return [
    at({ toolCalls: [call('write_file', { path: 'a.txt', content: 'first\n' })] }),
    at({ toolCalls: [call('write_file', { path: 'b.txt', content: 'second\n' })] }),
    at({ content: 'Both written.' }),
  ];
}

function roles(request: ReceivedRequest): string[] {
  const messages = request.body.messages as { role: string; content: string; tool_calls?: unknown[] }[];
  return messages.slice(1).map((message) => (message.role === 'user' ? `user:${message.content}` : message.role));
}

describe('/fork in a terminal', { timeout: 240_000 }, () => {
  test('forks this session at a turn or its last, says how to continue; the fork resumes from that turn', async ({ scratch, server, home, terminal, endure }) => {
    const repo = makeRepo(scratch, 'work', { 'README.md': '# Project\n' });
    server.respondWith(planModel(work(() => repo, new Map())));
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'auto']);
    await terminal.waitFor('what should the agent do?');
    await submit(terminal, 'write two files');
    await terminal.waitFor('● done');
    const [parent] = sessionIds(home);
    const before = readFileSync(journalPath(home, parent!));

    await submit(terminal, '/fork 1');
    await terminal.waitFor('forked this session at turn 1: new session');
    const [fork] = sessionIds(home).filter((id) => id !== parent);
    const shown = await terminal.waitFor(`continue the fork after /quit: endure resume ${fork}`);
    expect(shown).toContain(`forked this session at turn 1: new session ${fork}\n`);
    expect(shown).toContain(`  or headless: endure exec --resume ${fork} "<message>"`);
    // The fork shares this workspace, which has changed since turn 1: it says so.
    expect(shown.replace(/\s+/g, ' ')).toMatch(/differs from turn 1's checkpoint in 1 files? \(b\.txt\)/);

    await submit(terminal, '/fork');
    await terminal.waitFor('forked this session at turn 3: new session');
    await submit(terminal, '/fork one');
    await terminal.waitFor('/fork takes a turn number and --worktree, both optional; got "one"');
    // The UI's own words for the turn, not the CLI's --at.
    await submit(terminal, '/fork 9');
    await terminal.waitFor(`/fork failed: turn 9: session ${parent} has turns 1-3; give one of them`);
    await submit(terminal, '/quit');
    expect(await terminal.exitStatus()).toBe(0);
    expect(readFileSync(journalPath(home, parent!)).subarray(0, before.length).equals(before)).toBe(true);
    expect(sessionIds(home)).toHaveLength(3);

    const from = server.requestCount;
    server.respondWith(() => ({ content: 'Went on from the fork.' }));
    const resumed = await endure.exec(['--resume', fork!, 'go on'], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    expect(roles(server.requests[from]!)).toEqual(['user:write two files', 'assistant', 'tool', 'user:go on']);
    expect(journalOf(home, fork!).records[0]).toMatchObject({ kind: 'fork', parent, atTurn: 1 });
  });

  test('a fork resumed in the UI lists the turns it inherited in /rewind and rewinds its own worktree to one', async ({ scratch, server, home, terminal, endure }) => {
    const repo = makeRepo(scratch, 'work', { 'README.md': '# Project\n' });
    const copies = new Map<number, Record<string, string>>();
    let workspace = repo;
    server.respondWith(planModel(work(() => workspace, copies)));
    expect((await endure.exec(['write two files'], { cwd: repo }).done).code).toBe(0);
    const [parent] = sessionIds(home);
    const forked = await endure.run(['sessions', 'fork', parent!, '--at', '2', '--worktree', '--json']).done;
    expect(forked.code).toBe(0);
    const fork = (JSON.parse(forked.stdout) as { session_id: string }).session_id;
    workspace = join(home, 'worktrees', fork);

    await terminal.endure(['resume', fork, '--base-url', server.url, '--sandbox', 'host', '--approval', 'auto']);
    await terminal.waitFor('a follow-up, or Ctrl+C twice to quit');
    await submit(terminal, '/rewind');
    const list = await terminal.waitFor('enter rewinds · esc cancels');
    expect(list).toMatch(/turn 1 {2}write two files +a\.txt \(first checkpoint\)/);
    expect(list).toMatch(/❯ turn 2 {2}write two files +b\.txt/);
    expect(list).not.toMatch(/turn 3 /);
    await terminal.press('k');
    await terminal.waitFor(/❯ turn 1 /);
    await terminal.press('Enter');
    await terminal.waitFor('rewound to the end of turn 1: 0 files restored, 1 removed');
    expect(workspaceFiles(workspace)).toEqual(copies.get(1));
    expect(workspaceFiles(repo)).toEqual(copies.get(2));

    const from = server.requestCount;
    server.respondWith(() => ({ content: 'Went on from turn 1 of the fork.' }));
    await submit(terminal, 'now in the fork');
    await terminal.waitFor('Went on from turn 1 of the fork.');
    expect(roles(server.requests[from]!)).toEqual(['user:write two files', 'assistant', 'tool', 'user:now in the fork']);
    await submit(terminal, '/quit');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
