/**
 * /rewind in a real terminal: a session whose turns write, edit and delete files
 * (fs tools and run_shell); /rewind lists the turns with a checkpoint and the
 * files each changed, and choosing one brings the workspace back to a copy taken
 * at that turn, says what it restored, and the next message's request is the
 * conversation of that turn. Esc twice on an empty prompt opens it too (a turn a
 * rewind left is still a target). Files changed outside the session are shown
 * and asked about: kept (no rewind) or saved under rewind-backup/ first.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { ReceivedRequest, Step } from '../support/scripted-server.js';
import { call, journalOf, makeRepo, planModel, sessionIds, turnOf, workspaceFiles, type PlanStep } from '../support/e2e-fixtures.js';
import { uiTest as test, type TmuxTerminal } from './support/tmux.js';

/** Types a line and presses Enter once it shows (text and Enter in one read would be a paste). */
async function submit(terminal: TmuxTerminal, text: string): Promise<void> {
  await terminal.type(text);
  await terminal.waitFor(`› ${text}`);
  await terminal.press('Enter');
}

/** Moves the picker's selection from turn `from` to `turn` one key at a time, waiting for each move to show. */
async function select(terminal: TmuxTerminal, turn: number, from: number): Promise<void> {
  for (let at = from; at !== turn; ) {
    const up = turn < at;
    at += up ? -1 : 1;
    await terminal.press(up ? 'k' : 'j');
    await terminal.waitFor(new RegExp(`❯ turn +${at} `));
  }
}

/** The request's conversation as role:content-or-call lines. */
function conversation(request: ReceivedRequest): string[] {
  const messages = request.body.messages as { role: string; content: string; tool_calls?: { function: { name: string } }[] }[];
  return messages.slice(1).map((message) => `${message.role}:${message.tool_calls?.map((c) => c.function.name).join(',') ?? message.content.split('\n')[0]}`);
}

const START = { 'README.md': '# Project\n', 'src/app.js': 'export const v = 1;\n', 'old.txt': 'to be deleted\n' };

describe('/rewind in a terminal', { timeout: 240_000 }, () => {
  test('rewinds the files and the conversation to a chosen turn; esc twice opens it; outside changes are asked about', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work', START);
    // The workspace at the end of each turn: taken when the next request arrives.
    const copies = new Map<number, Record<string, string>>();
    const at = (step: Step) => (request: ReceivedRequest) => {
      copies.set(turnOf(request), workspaceFiles(repo));
      return step;
    };
    const plan: PlanStep[] = [
      at({ toolCalls: [call('write_file', { path: 'notes.md', content: 'new notes\n' })] }),
      at({ content: 'Now the app.', toolCalls: [call('edit_file', { path: 'src/app.js', old_string: 'v = 1', new_string: 'v = 2' })] }),
      at({ toolCalls: [call('run_shell', { command: 'mkdir -p deep/er && echo made > deep/er/file.txt && echo u > untracked.txt && rm old.txt' })] }),
      at({ toolCalls: [call('run_shell', { command: 'rm untracked.txt README.md' }), call('write_file', { path: 'src/app.js', content: 'export const v = 3;\n' })] }),
      at({ content: 'Done: four turns of changes.' }),
    ];
    server.respondWith(planModel(plan));
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'auto']);
    await terminal.waitFor('what should the agent do?');

    await submit(terminal, '/rewind');
    await terminal.waitFor('nothing to rewind to yet: no turn has changed files');

    await submit(terminal, 'do the work');
    await terminal.waitFor('● done');
    expect(server.requestCount).toBe(5);
    const [id] = sessionIds(home);

    await submit(terminal, '/rewind');
    const list = await terminal.waitFor('enter rewinds · esc cancels');
    expect(list).toMatch(/turn 1 {2}do the work +notes\.md \(first checkpoint\)/);
    expect(list).toMatch(/turn 2 {2}Now the app\. +src\/app\.js/);
    expect(list).toMatch(/turn 3 {2}do the work +deep\/er\/file\.txt, old\.txt, untracked\.txt/);
    expect(list).toMatch(/turn 4 {2}do the work +README\.md, src\/app\.js, untracked\.txt/);
    expect(list).toMatch(/❯ turn 5 {2}Done: four turns of changes\. +no file changes/);
    await select(terminal, 2, 5);
    await terminal.press('Enter');
    const rewound = await terminal.waitFor('rewound to the end of turn 2:');
    expect(rewound).toMatch(/rewound to the end of turn 2: 3 files restored, 1 removed; the next message continues from there/);
    expect(rewound).toContain('removed deep/er/file.txt');
    expect(workspaceFiles(repo)).toEqual(copies.get(2));
    expect(journalOf(home, id!).records.at(-1)).toMatchObject({ kind: 'rewind', toTurn: 2 });

    // The next message goes on from the end of turn 2.
    const before = server.requestCount;
    server.respondWith(() => ({ content: 'Went on from turn 2.' }));
    await submit(terminal, 'now go on');
    await terminal.waitFor('Went on from turn 2.');
    await terminal.waitFor(/● done[\s\S]*● done/);
    expect(conversation(server.requests[before]!)).toEqual(['user:do the work', 'assistant:write_file', expect.stringMatching(/^tool:/), 'assistant:edit_file', expect.stringMatching(/^tool:/), 'user:now go on']);

    // Esc twice on the empty prompt: a turn that the rewind left (3) is still a target.
    await terminal.press('Escape');
    await terminal.waitFor('Press Esc again to rewind');
    await terminal.press('Escape');
    const again = await terminal.waitFor('enter rewinds · esc cancels');
    expect(again).toMatch(/turn 3 {2}do the work .* · left by a rewind/);
    expect(again).toMatch(/❯ turn 6 {2}Went on from turn 2\. +no file changes/);
    await select(terminal, 3, 6);
    await terminal.press('Enter');
    await terminal.waitFor('rewound to the end of turn 3:');
    expect(workspaceFiles(repo)).toEqual(copies.get(3));

    // Changed outside the session: shown and asked; k keeps them, s saves them and rewinds.
    writeFileSync(join(repo, 'notes.md'), 'the user wrote this\n');
    writeFileSync(join(repo, 'mine.txt'), 'mine\n');
    await submit(terminal, '/rewind 1');
    const asked = await terminal.waitFor('save them under rewind-backup/ and rewind');
    expect(asked).toContain('Rewinding to turn 1 would overwrite them.');
    expect(asked).toMatch(/│ {3}mine\.txt/);
    expect(asked).toMatch(/│ {3}notes\.md/);
    await terminal.press('k');
    await terminal.waitFor('no rewind: the files changed outside the session stay as they are');
    expect(readFileSync(join(repo, 'notes.md'), 'utf8')).toBe('the user wrote this\n');
    expect(journalOf(home, id!).records.at(-1)).toMatchObject({ kind: 'rewind', toTurn: 3 });

    await submit(terminal, '/rewind 1');
    await terminal.waitFor('save them under rewind-backup/ and rewind');
    await terminal.press('s');
    await terminal.waitFor('saved the files changed outside the session under');
    const backups = join(home, 'sessions', id!, 'rewind-backup');
    const [stamp] = readdirSync(backups);
    const backup = join(backups, stamp!);
    expect(readFileSync(join(backup, 'notes.md'), 'utf8')).toBe('the user wrote this\n');
    expect(readFileSync(join(backup, 'mine.txt'), 'utf8')).toBe('mine\n');
    expect(workspaceFiles(repo)).toEqual(copies.get(1));
    expect(existsSync(join(repo, 'mine.txt'))).toBe(false);

    await submit(terminal, '/quit');
    expect(await terminal.exitStatus()).toBe(0);
    expect(journalOf(home, id!).records.filter((record) => record.kind === 'rewind').map((record) => record.kind === 'rewind' && record.toTurn)).toEqual([2, 3, 1]);
  });
});
