import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { runInspector, toolServerTest as test } from '../support/mcp-fixtures.js';

describe('the MCP Inspector CLI against the fs server', () => {
  test('lists the tools', async ({ workspace }) => {
    const run = await runInspector(['fs', '--root', workspace], ['--method', 'tools/list']);
    expect(run.exitCode, run.stderr).toBe(0);
    const tools = (run.json as { result: { tools: { name: string }[] } }).result.tools;
    expect(tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'edit_file', 'multi_edit', 'glob', 'grep', 'list_dir']);
  });

  test('calls a tool, and reports a tool error with exit code 5', async ({ workspace }) => {
    await writeFile(join(workspace, 'hello.txt'), 'hello inspector\n');
    const server: ['fs', ...string[]] = ['fs', '--root', workspace];
    const [ok, written, failed] = await Promise.all([
      runInspector(server, ['--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=hello.txt']),
      runInspector(server, ['--method', 'tools/call', '--tool-name', 'write_file', '--tool-args-json', JSON.stringify({ path: 'sub/new.txt', content: 'x\n' })]),
      runInspector(server, ['--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=../outside']),
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json).toEqual({ result: { content: [{ type: 'text', text: '1\thello inspector' }] } });
    expect(written.exitCode, written.stderr).toBe(0);
    expect(await readFile(join(workspace, 'sub', 'new.txt'), 'utf8')).toBe('x\n');
    expect(failed.exitCode).toBe(5);
    expect(failed.json).toMatchObject({ result: { isError: true } });
  });
});
