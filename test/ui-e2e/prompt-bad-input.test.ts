/**
 * The prompt box with input that is not sent as typed, in a real terminal: text
 * pasted with a newline in it waits for Enter (the hint says so), and an `@` path
 * outside the workspace is refused in one line with the message kept in the box;
 * neither reaches the scripted server until the person sends it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { planModel } from '../support/e2e-fixtures.js';
import { uiTest as test } from './support/tmux.js';

describe('the prompt box with pasted lines and a mention outside the workspace', { timeout: 120_000 }, () => {
  test('a paste with a newline waits for Enter; @ outside the workspace is refused and the text stays', async ({ scratch, repo, server, terminal }) => {
    writeFileSync(join(scratch, 'secret.txt'), 'outside\n');
    server.respondWith(planModel([], 'Read both lines.'));
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo]);
    await terminal.waitFor('what should the agent do?');

    // One write with a newline inside: a paste, which puts the newline in the box.
    await terminal.type('first line\nsecond line');
    const pasted = await terminal.waitFor('several lines: enter sends them all');
    expect(pasted).toContain('› first line');
    expect(pasted).toContain('second line');
    expect(server.requestCount).toBe(0);
    await terminal.press('Enter');
    await terminal.waitFor('Read both lines.');
    const sent = server.requests[0]!.body.messages as { role: string; content: string }[];
    expect(sent.at(-1)!.content).toBe('first line\nsecond line');

    await terminal.type('read @../secret.txt please');
    await terminal.waitFor('› read @../secret.txt please');
    await terminal.press('Enter');
    const refused = await terminal.waitFor('is outside the workspace');
    const lines = refused.split('\n').filter((line) => line.includes('outside the workspace'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`@../secret.txt is outside the workspace (${repo}); only files inside it can be attached`);
    // Not sent, not lost: the message is back in the box to be fixed.
    expect(refused).toMatch(/│ › read @\.\.\/secret\.txt please/);
    expect(server.requestCount).toBe(1);

    await terminal.press('C-u');
    await terminal.waitFor('a follow-up, or Ctrl+C twice to quit');
    await terminal.press('C-c');
    await terminal.waitFor('Press Ctrl+C again to quit.');
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
