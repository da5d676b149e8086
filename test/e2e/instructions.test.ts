/**
 * Project instructions end to end: AGENTS.md files (and their QWEN.md / CLAUDE.md
 * fallbacks) from the git root down to the cwd, after the user's own file, go
 * into the system message of the first request, and that message stays the same
 * byte for byte for the rest of the session, resume included, even when the files
 * change meanwhile (prefix discipline).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { MAX_INSTRUCTION_BYTES } from '../../src/context/instructions.js';
import { call, e2eTest as test, journalOf, makeRepo, planModel, sessionIds } from '../support/e2e-fixtures.js';

type Message = { role: string; content: string };

function systemOf(body: Record<string, unknown>): string {
  const messages = body.messages as Message[];
  expect(messages[0]!.role).toBe('system');
  return messages[0]!.content;
}

describe('project instructions', { timeout: 60_000 }, () => {
  test('nested AGENTS.md and the user file go into the system prompt in order and stay there', async ({ scratch, home, server, endure }) => {
    const repo = makeRepo(scratch, 'nested', {
      'AGENTS.md': 'ROOT RULE: run npm test before finishing.\n',
      'pkg/QWEN.md': 'PKG RULE: this package is ESM only.\n',
      'pkg/CLAUDE.md': 'NEVER READ: QWEN.md comes first.\n',
      'pkg/app/AGENTS.md': 'APP RULE: keep components small.\n',
      'pkg/app/CLAUDE.md': 'NEVER READ: AGENTS.md comes first.\n',
    });
    mkdirSync(join(scratch, 'user-home', '.config', 'endure'), { recursive: true });
    writeFileSync(join(scratch, 'user-home', '.config', 'endure', 'AGENTS.md'), 'USER RULE: answer tersely.\n');
    const cwd = join(repo, 'pkg', 'app');
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }], 'Read them.'));

    const run = await endure.exec(['follow the rules'], { cwd }).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('instructions ~/.config/endure/AGENTS.md, AGENTS.md, pkg/QWEN.md, pkg/app/AGENTS.md');

    const first = systemOf(server.requests[0]!.body);
    const order = ['USER RULE', 'ROOT RULE', 'PKG RULE', 'APP RULE'].map((rule) => first.indexOf(rule));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(first).not.toContain('NEVER READ');
    expect(server.requests.map((request) => systemOf(request.body))).toEqual(server.requests.map(() => first));

    // A changed file does not change a running session's prompt.
    writeFileSync(join(repo, 'AGENTS.md'), 'ROOT RULE CHANGED\n');
    const before = server.requests.length;
    const resumed = await endure.exec(['--resume', 'last', 'and again'], { cwd }).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(server.requests.slice(before).map((request) => systemOf(request.body))).toEqual([first]);

    const [id] = sessionIds(home);
    const start = journalOf(home, id!).records[0]!;
    expect(start).toMatchObject({ kind: 'session_start', settings: { instructions: ['~/.config/endure/AGENTS.md', 'AGENTS.md', 'pkg/QWEN.md', 'pkg/app/AGENTS.md'] } });
    const shown = await endure.run(['sessions', 'show', id!]).done;
    expect(shown.stdout).toContain('- instructions: ~/.config/endure/AGENTS.md, AGENTS.md, pkg/QWEN.md, pkg/app/AGENTS.md');
  });

  test('a non-UTF-8 file is skipped with a warning naming it; the cap cuts with a note; --no-instructions leaves them out', async ({ scratch, server, endure }) => {
    const repo = makeRepo(scratch, 'capped', { 'AGENTS.md': `${'a long rule. '.repeat(3000)}\n` });
    mkdirSync(join(repo, 'sub'));
    writeFileSync(join(repo, 'sub', 'AGENTS.md'), Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x0a]));
    server.respondWith(planModel([], 'ok'));

    const run = await endure.exec(['go'], { cwd: join(repo, 'sub') }).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`instructions file ${join(repo, 'sub', 'AGENTS.md')} skipped: not UTF-8 text`);
    expect(run.stderr).toContain(`instructions file ${join(repo, 'AGENTS.md')} cut: instructions are limited to 32 KB in all`);
    const system = systemOf(server.requests[0]!.body);
    expect(system).toMatch(/\[… \d+ more bytes of AGENTS\.md cut: instructions are limited to 32 KB in all\]/);
    expect(Buffer.byteLength(system.slice(system.indexOf('## AGENTS.md')))).toBeLessThan(MAX_INSTRUCTION_BYTES + 300);

    // A directory named AGENTS.md and a link to nothing are skipped by name too (not passed over for QWEN.md in silence).
    mkdirSync(join(repo, 'sub', 'deeper', 'AGENTS.md'), { recursive: true });
    mkdirSync(join(repo, 'sub', 'deeper', 'linked'));
    symlinkSync(join(scratch, 'gone.md'), join(repo, 'sub', 'deeper', 'linked', 'AGENTS.md'));
    writeFileSync(join(repo, 'sub', 'deeper', 'linked', 'QWEN.md'), 'not this one\n');
    const broken = await endure.exec(['go'], { cwd: join(repo, 'sub', 'deeper', 'linked') }).done;
    expect(broken.code, broken.stderr).toBe(0);
    expect(broken.stderr).toContain(`instructions file ${join(repo, 'sub', 'deeper', 'AGENTS.md')} skipped: not a regular file; fix or remove it`);
    expect(broken.stderr).toContain(`instructions file ${join(repo, 'sub', 'deeper', 'linked', 'AGENTS.md')} skipped: a link to nothing; fix or remove it`);
    expect(systemOf(server.requests.at(-1)!.body)).not.toContain('not this one');

    const bare = await endure.exec(['--no-instructions', 'go'], { cwd: join(repo, 'sub') }).done;
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).not.toContain('instructions');
    expect(systemOf(server.requests.at(-1)!.body)).not.toContain('a long rule');
  });
});
