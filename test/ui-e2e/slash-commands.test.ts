/**
 * The prompt box's slash commands in a real terminal: each one answers on screen
 * and none reaches the model (the scripted server counts zero requests), names
 * complete with Tab, an unknown one gets one line, `//text` is sent as `/text`,
 * and /clear and /quit act on the session.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, journalOf, makeRepo, planModel, sessionIds } from '../support/e2e-fixtures.js';
import { uiTest as test, type TmuxTerminal } from './support/tmux.js';

/** Types a line and presses Enter once it shows (text and Enter in one read would be a paste). */
async function submit(terminal: TmuxTerminal, text: string): Promise<void> {
  await terminal.type(text);
  await terminal.waitFor(`› ${text}`);
  await terminal.press('Enter');
}

describe('slash commands in a terminal', { timeout: 120_000 }, () => {
  test('every command answers on screen and none reaches the model', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work', {
      'AGENTS.md': 'Use tabs.\n',
      '.endure/commands/review.md': '---\ndescription: review a file\n---\nReview $1 carefully. Focus: $ARGUMENTS\n',
      '.endure/commands/empty.md': '\n',
    });
    mkdirSync(join(scratch, 'user-home', '.config', 'endure', 'commands'), { recursive: true });
    writeFileSync(join(scratch, 'user-home', '.config', 'endure', 'commands', 'hello.md'), 'Say hello.\n');
    server.respondWith(planModel([{ toolCalls: [call('run_shell', { command: 'echo hi > hi.txt' })] }], 'fine'));
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'ask']);
    // The prompt box comes before the session opens (test/ui-e2e/opening.test.ts); its first line follows.
    const opened = await terminal.waitFor('◆ session');
    expect(opened).toMatch(/◆ session [\w-]+ started · qwen3\.6-27b on llama · sandbox host · [\s\S]*?instructions AGENTS\.md/);

    await terminal.type('/');
    await terminal.waitFor('› /');
    const listed = await terminal.waitFor('/status');
    expect(listed).toContain('/compact');
    expect(listed).toContain('tab completes');
    await terminal.type('hel');
    // Both names are listed (Tab would stop at their common prefix, see test/ui/prompt-text.test.ts).
    const both = await terminal.waitFor(/› \/hel[\s\S]*\/help[\s\S]*\/hello/);
    expect(both).not.toContain('/status');
    await terminal.press('C-u');
    await terminal.waitFor('what should the agent do?');
    await terminal.type('/st');
    await terminal.waitFor('› /st');
    await terminal.press('Tab');
    await terminal.waitFor('› /status');
    await terminal.press('Enter');
    // The values line up after the longest label, instructions.
    const status = await terminal.waitFor('approval      ask');
    expect(status).toMatch(/model {9}qwen3\.6-27b on llama \(http:\/\/127\.0\.0\.1:\d+\/v1\)/);
    expect(status).toMatch(/context {7}0 tokens, 0% of 32\.8k/);
    expect(status).toContain('budgets       none');
    expect(status).toContain(`sandbox       host · workspace ${repo}`);
    expect(status).toContain('instructions  AGENTS.md');

    await submit(terminal, '/help');
    const help = await terminal.waitFor('custom commands (.endure');
    for (const name of ['/help', '/status', '/compact', '/rewind [turn]', '/fork [turn] [--worktree]', '/diff', '/approval ask|auto|deny', '/sessions', '/clear', '/quit']) expect(help).toContain(name);
    expect(help).toMatch(/\/review \[args\]\s+review a file \(project\)/);
    expect(help).toMatch(/\/hello \[args\]\s+Say hello\. \(user\)/);
    expect(help).toMatch(/\/empty \[args\]\s+✗ the file has no text/);

    await submit(terminal, '/nope');
    await terminal.waitFor('unknown command /nope; /help lists the commands');

    await submit(terminal, '/approval auto');
    await terminal.waitFor('approval policy: auto for the rest of the session');
    await terminal.waitFor(/session [\w-]+ · approval auto/);

    await submit(terminal, '/compact');
    await terminal.waitFor('nothing compacted: the conversation is too short to summarise');

    await submit(terminal, '/rewind');
    await terminal.waitFor('nothing to rewind to yet: no turn has changed files');
    await submit(terminal, '/fork');
    await terminal.waitFor(/\/fork failed: session \S+ has no turn yet, so there is nothing to fork/);

    await submit(terminal, '/diff');
    await terminal.waitFor('no changes in the workspace');

    await submit(terminal, '/sessions');
    const [id] = sessionIds(home);
    await terminal.waitFor(new RegExp(`▸ ${id} +running`));

    await submit(terminal, '/empty');
    await terminal.waitFor('/empty cannot be used: the file has no text');
    expect(server.requestCount).toBe(0);

    // The new session reads the instructions again: one it cannot read is named on screen, not dropped in silence.
    writeFileSync(join(repo, 'AGENTS.md'), Buffer.from([0x66, 0xff, 0xfe, 0x0a]));
    await submit(terminal, '/clear');
    const cleared = await terminal.waitFor(`the previous one stays resumable: endure resume ${id}`);
    await terminal.waitFor(`instructions file ${join(repo, 'AGENTS.md')} skipped: not UTF-8 text; fix or remove it`);
    const [second] = sessionIds(home).filter((other) => other !== id);
    expect(second).toBeDefined();
    expect(cleared).toContain(`new session ${second}`);
    await terminal.waitFor(`session ${second} · approval auto`);

    await submit(terminal, '//etc is not a command');
    // /approval auto holds for the new session too: the command runs without asking.
    const done = await terminal.waitFor('● done');
    expect(done).not.toContain('approve run_shell?');
    expect(readFileSync(join(repo, 'hi.txt'), 'utf8')).toBe('hi\n');
    expect(server.requestCount).toBe(2);
    const messages = server.requests[0]!.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)).toEqual({ role: 'user', content: '/etc is not a command' });
    expect(journalOf(home, second!).records.some((record) => record.kind === 'user' && record.content === '/etc is not a command')).toBe(true);

    await submit(terminal, '/quit');
    expect(await terminal.exitStatus()).toBe(0);
    expect(journalOf(home, id!).torn).toBe(false);
  });
});
