/**
 * Approval rules from config files, through the real `endure exec`: a rule that
 * cannot be read stops the run (exit 2) naming the file and the rule; the user's
 * deny rules and a project's deny rules add up; a project's allow rules are ignored
 * with a warning (a repository must not approve its own commands).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, makeRepo, planModel, sessionIds } from '../support/e2e-fixtures.js';

function writeUserConfig(scratch: string, config: unknown): string {
  const path = join(scratch, 'user-home', '.config', 'endure', 'config.json');
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function toolResults(messages: { role: string; content?: unknown }[]): string[] {
  return messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
}

describe('approval rules in config files', { timeout: 120_000 }, () => {
  test.for([
    [{ tool: 'run_shell', command: 'git push * --force' }, '* only as the last word'],
    [{ tool: 'run_shell', command: 'npm test; rm x' }, 'is shell syntax'],
    [{ tool: 'run_shell', prefix: 'npm test' }, '"prefix" is replaced by "command"'],
    [{ tool: 'run_shell', command: "git 'push" }, 'unterminated quote'],
    [{ command: 'ls *' }, '"tool" must be a tool name'],
  ] as const)('exit 2 for %j, naming the file and the rule', async ([rule, why], { scratch, endure, home }) => {
    const path = writeUserConfig(scratch, { approval: { deny: [rule] } });
    const run = await endure.exec(['do it']).done;
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(path);
    expect(lines[0]).toContain(JSON.stringify(rule));
    expect(lines[0]).toContain(why);
    expect(sessionIds(home)).toEqual([]);
  });

  test("user and project deny rules add up; the project's allow rules are ignored with a warning", async ({ scratch, server, endure }) => {
    writeUserConfig(scratch, { approval: { deny: [{ tool: 'run_shell', command: 'rm *' }] } });
    const repo = makeRepo(scratch, 'project', {
      '.endure/config.json': JSON.stringify({
        approval: { allow: [{ tool: 'run_shell', command: 'touch *' }], deny: [{ tool: 'run_shell', command: 'git push *' }] },
      }),
    });
    const projectConfig = join(repo, '.endure', 'config.json');
    server.respondWith(
      planModel([
        { toolCalls: [call('run_shell', { command: 'cd . && git push' }), call('run_shell', { command: 'rm README.md' })] },
        { toolCalls: [call('run_shell', { command: 'touch made-by-the-model' })] },
      ]),
    );
    const run = await endure.exec(['--approval', 'deny', 'push it'], { cwd: repo }).done;
    expect(run.stderr).toContain(`${projectConfig}: approval policy and allow rules are ignored in a project config`);
    const last = server.requests.at(-1)!.body.messages as { role: string; content?: unknown }[];
    const [push, rm, touch] = toolResults(last);
    expect(push).toContain(`refused by the deny rule run_shell \`git push *\` (${projectConfig})`);
    expect(rm).toContain('refused by the deny rule run_shell `rm *`');
    expect(touch).toContain('needs approval and the approval policy refuses it');
    expect(existsSync(join(repo, 'README.md'))).toBe(true);
    expect(existsSync(join(repo, 'made-by-the-model'))).toBe(false);
  });
});
