/**
 * The approval gate against a table of real command lines: chains, pipes,
 * `bash -c`, quotes, escapes, wrappers, substitutions, heredocs, comments and
 * unicode, through the agent's own ApprovalGate (parser, rules, memory), with the
 * rule syntax of a user config. Each line either runs on an allow rule, is refused
 * by a deny rule, or is asked about.
 */
import { describe, expect, test } from 'vitest';
import { ApprovalGate } from '../../src/agent/approval.js';
import type { ApprovalRequest } from '../../src/agent/controls.js';
import { approvalRules } from '../../src/cli/config.js';
import type { ToolDescriptor } from '../../src/mcp/types.js';
import { APPROVAL_TABLE, type Expected } from './approval-table.js';

const shell: ToolDescriptor = {
  name: 'run_shell', server: 'shell', mcpName: 'run_shell', description: '', inputSchema: { type: 'object' },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
};
const signal = new AbortController().signal;

const ALLOW = ['npm test *', 'git status *', 'git diff *', 'ls *', 'cat *', 'echo *', 'node test.mjs', 'grep *', 'wc -l *', 'head *'];
const DENY = ['git push *', 'rm -rf *', 'curl *'];
const rules = (commands: string[]) => approvalRules(commands.map((command) => ({ tool: 'run_shell', command })), '/home/u/.config/endure/config.json');

describe('the approval gate on a table of commands', () => {
  const asked: string[] = [];
  const gate = new ApprovalGate({ policy: 'ask', allow: rules(ALLOW), deny: rules(DENY) }, async (request: ApprovalRequest) => {
    asked.push(request.preview);
    return 'no';
  });

  test('the table is large enough', () => expect(APPROVAL_TABLE.length).toBeGreaterThanOrEqual(60));

  test.each(APPROVAL_TABLE.map(([command, expected]) => [command.slice(0, 60), expected, command] as const))('%j → %s', async (_shown, expected, command) => {
    asked.length = 0;
    const outcome = await gate.check(shell, 'c', { command }, signal);
    const got: Expected = outcome.run ? 'run' : asked.length > 0 ? 'ask' : 'deny';
    expect(got).toBe(expected);
    if (got === 'deny' && !outcome.run) expect(outcome.message).toMatch(/refused by the deny rule run_shell `(git push|rm -rf|curl) \*` \(\/home\/u\/.config\/endure\/config.json\)/);
  });
});

describe('without a person to ask (exec)', () => {
  const auto = new ApprovalGate({ policy: 'auto', allow: [], deny: rules(DENY) });
  test.each([
    ['git $SUB origin', false],
    ['npm test "unterminated', false],
    [`echo ${'x'.repeat(101 * 1024)}`, false],
    ['echo $(date)', true],
    ['$EDITOR notes.md', false],
    ['npm publish', true],
  ] as const)('%j under --approval auto runs: %s', async (command, runs) => {
    const outcome = await auto.check(shell, 'c', { command }, signal);
    expect(outcome.run).toBe(runs);
    if (!outcome.run) expect(outcome.message).toMatch(/cannot be checked against the deny rule/);
  });
});
