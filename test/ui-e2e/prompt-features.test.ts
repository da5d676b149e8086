/**
 * What users bring from other agents, in a real terminal: a custom command with
 * arguments (completed with Tab) whose text mentions a file, the file attached to
 * the message, edits waiting for approval shown as diffs of the file with its line
 * numbers, `@` paths completed with Tab, and /diff showing what the session changed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, makeRepo, planModel } from '../support/e2e-fixtures.js';
import { uiTest as test, type TmuxTerminal } from './support/tmux.js';

const APP = ['one', 'two', 'three', 'four', 'line five', 'six', 'seven', 'eight', 'nine', 'ten'].map((line) => `${line}\n`).join('');

async function typed(terminal: TmuxTerminal, text: string, shown = text): Promise<void> {
  await terminal.type(text);
  await terminal.waitFor(`› ${shown}`);
}

describe('custom commands, mentions and approval diffs in a terminal', { timeout: 120_000 }, () => {
  test('a custom command with arguments attaches its mention; edits wait for approval as diffs', async ({ scratch, server, terminal }) => {
    const repo = makeRepo(scratch, 'work', { 'src/app.js': APP, '.endure/commands/fix.md': 'Fix $1 in @src/app.js: $ARGUMENTS\n' });
    server.respondWith(
      planModel(
        [
          { toolCalls: [call('edit_file', { path: 'src/app.js', old_string: 'line five', new_string: 'LINE FIVE' })] },
          { toolCalls: [call('write_file', { path: 'notes.md', content: '# Notes\nfixed line five\n' })] },
        ],
        'Fixed.',
      ),
    );
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'ask']);
    await terminal.waitFor('what should the agent do?');

    await typed(terminal, '/fi');
    await terminal.press('Tab');
    await terminal.waitFor('› /fix ');
    await typed(terminal, 'casing please', '/fix casing please');
    await terminal.press('Enter');

    const edit = await terminal.waitFor(/approve edit_file\?[\s\S]*esc interrupts/);
    expect(edit).toContain('› Fix casing in @src/app.js: casing please');
    expect(edit).toContain('attached: src/app.js');
    expect(edit).toContain('edit_file src/app.js · +1 -1');
    expect(edit).toContain('@@ -2,7 +2,7 @@');
    expect(edit).toMatch(/│ +4 {3}four/);
    expect(edit).toMatch(/│ +5 - line five/);
    expect(edit).toMatch(/│ +5 \+ LINE FIVE/);
    expect(edit).toMatch(/│ +8 {3}eight/);
    expect(edit).not.toContain('"old_string"');
    const request = server.requests[0]!.body.messages as { role: string; content: string }[];
    expect(request.at(-1)!.content).toBe(`Fix casing in @src/app.js: casing please\n\n<attachment path="src/app.js" kind="file">\n${APP}</attachment>`);
    await terminal.press('y');

    const write = await terminal.waitFor(/approve write_file\?[\s\S]*esc interrupts/);
    expect(write).toContain('new file, 2 lines');
    expect(write).toMatch(/│ +1 \+ # Notes/);
    expect(write).toMatch(/│ +2 \+ fixed line five/);
    await terminal.press('y');
    await terminal.waitFor('● done');
    expect(readFileSync(join(repo, 'src', 'app.js'), 'utf8')).toContain('LINE FIVE');

    await typed(terminal, 'see @sr');
    await terminal.press('Tab');
    await terminal.waitFor('› see @src/');
    await typed(terminal, 'a', 'see @src/a');
    await terminal.press('Tab');
    await terminal.waitFor('› see @src/app.js ');
    await terminal.press('C-u');
    await terminal.waitFor('a follow-up');

    await typed(terminal, '/diff');
    await terminal.press('Enter');
    const screen = await terminal.waitFor('+++ b/notes.md');
    const diff = screen.slice(screen.indexOf('diff --git a/src/app.js b/src/app.js'));
    expect(diff).toContain('-line five\n+LINE FIVE');
    expect(diff).toContain('+# Notes');
    expect(server.requestCount).toBe(3);

    await typed(terminal, '/quit');
    await terminal.press('Enter');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
