import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import { gitTest as test } from '../support/git-fixtures.js';
import { connectStdio, resultText, runInspector } from '../support/mcp-fixtures.js';

describe('git server over stdio', () => {
  test('serves the git tools, with git_push only under --allow-push', async ({ repo }) => {
    const client = await connectStdio('git', ['--root', repo]);
    onTestFinished(() => client.close());
    await writeFile(join(repo, 'README.md'), 'changed\n');
    const status = await client.callTool({ name: 'git_status', arguments: {} });
    expect(resultText(status)).toBe('## main\n M README.md\n');
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('git_push');

    const pushing = await connectStdio('git', ['--root', repo, '--allow-push']);
    onTestFinished(() => pushing.close());
    expect((await pushing.listTools()).tools.map((tool) => tool.name)).toContain('git_push');
  });

  test('the MCP inspector CLI lists and calls the tools', async ({ repo, workspace }) => {
    const listed = await runInspector(['git', '--root', repo], ['--method', 'tools/list']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const names = (listed.json as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);
    expect(names).toEqual(['git_status', 'git_diff', 'git_log', 'git_show', 'git_add', 'git_commit', 'git_branch', 'git_restore']);

    const logged = await runInspector(['git', '--root', repo], ['--method', 'tools/call', '--tool-name', 'git_log', '--tool-args-json', '{"count":1}']);
    expect(logged.exitCode, logged.stderr).toBe(0);
    expect(resultText((logged.json as { result: unknown }).result)).toMatch(/^[0-9a-f]{7,} \d{4}-\d{2}-\d{2} Fixture Author \(HEAD -> main\): initial\n$/);

    const refused = await runInspector(['git', '--root', workspace], ['--method', 'tools/call', '--tool-name', 'git_show', '--tool-arg', 'ref=-p']);
    expect(refused.exitCode).toBe(5);
    expect(refused.stdout).toContain('is not a valid git ref');
  });
});
