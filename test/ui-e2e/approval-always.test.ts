/**
 * "always" in a real terminal, through the compiled CLI and the agent's real gate:
 * `a` on `node test.mjs` shows and remembers `node test.mjs *`, so the same command
 * runs again without a question, while `node -e …` and `node test.mjs && rm x` are
 * asked about again (and refused here, which leaves their files untouched).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, makeRepo, planModel } from '../support/e2e-fixtures.js';
import { uiTest as test } from './support/tmux.js';

const NODE_E = `node -e "require('fs').writeFileSync('e.txt', 'x')"`;

describe('always in the UI', { timeout: 120_000 }, () => {
  test('a on node test.mjs covers node test.mjs only, for the whole session; node -e and a chain ask again', async ({ scratch, server, terminal }) => {
    const repo = makeRepo(scratch, 'work', {
      'test.mjs': "import { appendFileSync } from 'node:fs';\nappendFileSync('ran.txt', 'ran\\n');\n",
      x: 'keep me\n',
    });
    server.respondWith(
      planModel(
        [
          { toolCalls: [call('run_shell', { command: 'node test.mjs' })] },
          { toolCalls: [call('run_shell', { command: 'node test.mjs' })] },
          { toolCalls: [call('run_shell', { command: NODE_E })] },
          { toolCalls: [call('run_shell', { command: 'node test.mjs && rm x' })] },
          { content: 'Finished.' },
          { toolCalls: [call('run_shell', { command: 'node test.mjs -- again' })] },
        ],
        'Ran it again without asking.',
      ),
    );
    await terminal.endure(['--base-url', server.url, '--sandbox', 'host', '--cwd', repo, '--approval', 'ask']);
    await terminal.waitFor('what should the agent do?');
    await terminal.type('run the tests');
    // Text and Enter read in one chunk are a paste (a newline in the box), so Enter waits for the text.
    await terminal.waitFor('› run the tests');
    await terminal.press('Enter');

    const first = await terminal.waitFor('run_shell: node test.mjs');
    expect(first).toContain('a always (run_shell `node test.mjs *`)');
    await terminal.press('a');

    const second = await terminal.waitFor('run_shell: node -e');
    expect(second).toContain(`a always (run_shell \`node -e "require('fs').writeFileSync('e.txt', 'x')" *\`)`);
    expect(readFileSync(join(repo, 'ran.txt'), 'utf8')).toBe('ran\nran\n');
    await terminal.press('n');

    const third = await terminal.waitFor('run_shell: node test.mjs && rm x');
    expect(third).toContain('a always (run_shell `node test.mjs *` and run_shell `rm x *`)');
    await terminal.press('n');

    await terminal.waitFor('● done');
    expect(existsSync(join(repo, 'e.txt'))).toBe(false);
    expect(readFileSync(join(repo, 'x'), 'utf8')).toBe('keep me\n');
    expect(readFileSync(join(repo, 'ran.txt'), 'utf8')).toBe('ran\nran\n');

    // The memory lasts the session, not one message: the next message's run does not ask.
    await terminal.type('once more');
    await terminal.waitFor('› once more');
    await terminal.press('Enter');
    await terminal.waitFor('Ran it again without asking.');
    expect(readFileSync(join(repo, 'ran.txt'), 'utf8')).toBe('ran\nran\nran\n');
    await terminal.press('C-c');
    await terminal.waitFor('Press Ctrl+C again to quit.');
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(0);
  });
});
