import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { defaultBuiltins } from '../../src/mcp/builtin-servers.js';
import { fixture, gitWorkspace, test } from './support.js';

describe('built-in servers through the host', () => {
  test('host sandbox: in-process, plain names, fs then shell then git, then user servers', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const host = await makeHost({ projectRoot: root, builtins: defaultBuiltins({ root }), servers: [fixture('aaa')] });
    const tools = host.tools();
    const servers = tools.map((tool) => tool.server);
    const firstShell = servers.indexOf('shell');
    const firstGit = servers.indexOf('git');
    expect(servers.lastIndexOf('fs')).toBeLessThan(firstShell);
    expect(servers.lastIndexOf('shell')).toBeLessThan(firstGit);
    expect(servers.lastIndexOf('git')).toBeLessThan(servers.indexOf('aaa'));
    for (const tool of tools.filter((item) => item.server !== 'aaa')) expect(tool.name).toBe(tool.mcpName);
    for (const tool of tools.filter((item) => item.server !== 'aaa')) {
      expect(typeof tool.annotations.readOnlyHint).toBe('boolean');
    }
    const read = tools.find((tool) => tool.server === 'fs' && /read/.test(tool.name))!;
    expect((await host.call(read.name, { path: 'notes.txt' })).text).toContain('first line');
    const shell = tools.find((tool) => tool.server === 'shell' && /run/.test(tool.name))!;
    const ran = await host.call(shell.name, { command: 'echo from-shell' });
    expect(ran.text).toContain('from-shell');
    expect(host.servers().map((server) => [server.name, server.builtin])).toEqual([['fs', true], ['shell', true], ['git', true], ['aaa', false]]);
  });

  test('bwrap sandbox: built-ins run as confined stdio children from dist', async ({ makeHost, tempDir }) => {
    expect(existsSync(resolve('dist/tools/fs/server.js')), 'run npm run build first').toBe(true);
    const root = gitWorkspace(tempDir);
    const sandbox = createSandbox('bwrap', { workspace: root });
    await sandbox.prepare();
    const warnings: string[] = [];
    const host = await makeHost({ projectRoot: root, sandbox, builtins: defaultBuiltins({ root }), onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([]);
    const shell = host.tools().find((tool) => tool.server === 'shell' && /run/.test(tool.name))!;
    const ran = await host.call(shell.name, { command: 'cat notes.txt && ls /home | wc -l' });
    expect(ran.isError).toBe(false);
    expect(ran.text).toContain('first line');
    await sandbox.dispose();
  });
});
