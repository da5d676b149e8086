/**
 * What a task becomes before the model sees it, through the real `exec`: custom
 * commands (project over user, `$ARGUMENTS` and `$1`…`$9`), `//text`, and
 * `@path` mentions (file content, directory listing, the 256 KB cap, paths
 * outside the workspace refused in one line, an `@` that names nothing left as is).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { MAX_MENTION_BYTES, mentionBudget } from '../../src/context/mentions.js';
import { e2eTest as test, makeRepo, planModel } from '../support/e2e-fixtures.js';

type Message = { role: string; content: string };

function firstUserMessage(body: Record<string, unknown>): string {
  return (body.messages as Message[]).find((message) => message.role === 'user')!.content;
}

describe('custom commands in exec', { timeout: 60_000 }, () => {
  test('expand with their arguments; the project file wins; unknown or empty ones exit 2', async ({ scratch, server, endure }) => {
    const repo = makeRepo(scratch, 'cmds', {
      '.endure/commands/review.md': 'Review $1 for $2.\nAll of it: $ARGUMENTS\n',
      '.endure/commands/empty.md': '',
    });
    const userCommands = join(scratch, 'user-home', '.config', 'endure', 'commands');
    mkdirSync(userCommands, { recursive: true });
    writeFileSync(join(userCommands, 'review.md'), 'USER VERSION $ARGUMENTS\n');
    writeFileSync(join(userCommands, 'greet.md'), 'Say hello to the team.\n');
    server.respondWith(planModel([], 'ok'));

    const review = await endure.exec(['/review src/a.js races'], { cwd: repo }).done;
    expect(review.code, review.stderr).toBe(0);
    expect(firstUserMessage(server.requests.at(-1)!.body)).toBe('Review src/a.js for races.\nAll of it: src/a.js races');

    const greet = await endure.exec(['/greet', 'Ana', 'and', 'Bo'], { cwd: repo }).done;
    expect(greet.code, greet.stderr).toBe(0);
    expect(firstUserMessage(server.requests.at(-1)!.body)).toBe('Say hello to the team.\n\nAna and Bo');

    const literal = await endure.exec(['//review is a word'], { cwd: repo }).done;
    expect(literal.code, literal.stderr).toBe(0);
    expect(firstUserMessage(server.requests.at(-1)!.body)).toBe('/review is a word');

    const requests = server.requestCount;
    const unknown = await endure.exec(['/nope x'], { cwd: repo }).done;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual(['endure: no custom command /nope: add .endure/commands/nope.md (or pass //nope to send the text as is)']);
    const empty = await endure.exec(['/empty'], { cwd: repo }).done;
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`custom command /empty cannot be used: the file has no text (${join(repo, '.endure', 'commands', 'empty.md')})`);
    expect(server.requestCount).toBe(requests);
  });
});

describe('@ mentions in exec', { timeout: 60_000 }, () => {
  test('attach files and listings, cut at the cap, leave unknown @words, refuse the outside', async ({ scratch, server, endure }) => {
    const big = `${'x'.repeat(99)}\n`.repeat(Math.ceil((MAX_MENTION_BYTES + 50_000) / 100));
    const repo = makeRepo(scratch, 'mentions', { 'src/a.js': 'export const a = 1;\n', 'src/b.js': 'b\n', 'big.log': big });
    server.respondWith(planModel([], 'ok'));

    // A window of a million tokens holds 256 KB: the cap cuts.
    const run = await endure.exec(['--context-window', '1000000', 'explain @src/a.js, then @src and @big.log; ping @nobody'], { cwd: repo }).done;
    expect(run.code, run.stderr).toBe(0);
    const message = firstUserMessage(server.requests.at(-1)!.body);
    expect(message.startsWith('explain @src/a.js, then @src and @big.log; ping @nobody\n\n<attachment path="src/a.js" kind="file">\nexport const a = 1;\n</attachment>')).toBe(true);
    expect(message).toContain('<attachment path="src" kind="directory">\na.js\nb.js\n</attachment>');
    expect(message).toContain(`[… cut: big.log has ${Buffer.byteLength(big)} bytes; the first 256 KB are attached; read_file reads the rest]`);
    expect(Buffer.byteLength(message)).toBeGreaterThan(MAX_MENTION_BYTES - 1000);
    expect(Buffer.byteLength(message)).toBeLessThan(MAX_MENTION_BYTES + 1000);
    expect(message).not.toContain('<attachment path="nobody"');

    // The server's 32k window: the attachments take at most a quarter of it, and the request goes out.
    const small = await endure.exec(['summarise @big.log'], { cwd: repo }).done;
    expect(small.code, small.stderr).toBe(0);
    const fitted = firstUserMessage(server.requests.at(-1)!.body);
    const budget = mentionBudget(32_768)!;
    expect(fitted).toContain(`the first ${Math.round(budget / 1024)} KB fit the context window; read_file reads the rest]`);
    expect(Buffer.byteLength(fitted)).toBeLessThan(budget + 1000);

    writeFileSync(join(scratch, 'secret.txt'), 'outside\n');
    symlinkSync(join(scratch, 'secret.txt'), join(repo, 'link.txt'));
    const requests = server.requestCount;
    for (const mention of ['@../secret.txt', '@link.txt', `@${join(scratch, 'secret.txt')}`]) {
      const refused = await endure.exec([`read ${mention}`], { cwd: repo }).done;
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`${mention} is outside the workspace (${repo}); only files inside it can be attached`);
    }
    expect(server.requestCount).toBe(requests);
  });
});
