import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ConfigError } from '../../src/shared/errors.js';
import { loadMcpConfig, userConfigPath } from '../../src/mcp/config.js';
import { createTrustStore, stateHome, startableServers, untrustedServers } from '../../src/mcp/trust.js';
import { assignToolNames } from '../../src/mcp/tool-names.js';
import { test } from './support.js';

const write = (file: string, value: unknown) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
};

describe('MCP config layers', () => {
  test('user < project < --mcp-config, with ${VAR} expansion and every key', async ({ tempDir }) => {
    const project = join(tempDir, 'project');
    const userFile = join(tempDir, 'xdg', 'endure', 'config.json');
    write(userFile, { model: 'q', mcpServers: { shared: { command: 'user-cmd' }, mine: { url: 'https://example.test/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } } } });
    write(join(project, '.mcp.json'), {
      mcpServers: {
        shared: { command: '${TOOL_BIN:-/usr/bin/tool}', args: ['--dir', '${HOME}/x'], env: { KEY: '${KEY}' }, cwd: 'sub', timeout: 5000, maxTotalTimeout: 9000, sandbox: true, includeTools: ['a'], excludeTools: ['b'] },
        legacy: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
        off: { command: 'x', disabled: true },
      },
    });
    write(join(tempDir, 'extra.json'), { mcpServers: { legacy: { httpUrl: 'http://127.0.0.1:2/mcp' } } });
    const env = { HOME: '/home/u', TOKEN: 't0k', KEY: 'k', XDG_CONFIG_HOME: join(tempDir, 'xdg') };
    expect(userConfigPath(env)).toBe(userFile);
    const loaded = await loadMcpConfig({ projectRoot: project, env, configFiles: ['../extra.json'] });
    expect(loaded.servers.map((server) => [server.name, server.layer])).toEqual([
      ['legacy', 'flag'], ['mine', 'user'], ['off', 'project'], ['shared', 'project'],
    ]);
    const shared = loaded.servers.find((server) => server.name === 'shared')!.config;
    expect(shared).toEqual({
      transport: 'stdio', command: '/usr/bin/tool', args: ['--dir', '/home/u/x'], env: { KEY: 'k' }, cwd: 'sub',
      timeout: 5000, maxTotalTimeout: 9000, sandbox: true, includeTools: ['a'], excludeTools: ['b'],
    });
    expect(loaded.servers.find((server) => server.name === 'mine')!.config).toMatchObject({ transport: 'http', headers: { Authorization: 'Bearer t0k' } });
    expect(loaded.servers.find((server) => server.name === 'legacy')!.config).toMatchObject({ transport: 'http', url: 'http://127.0.0.1:2/mcp' });
    expect(loaded.entries.filter((entry) => entry.shadowed).map((entry) => `${entry.layer}:${entry.name}`)).toEqual(['user:shared', 'project:legacy']);
    expect(loaded.projectFile?.path).toBe(join(project, '.mcp.json'));
  });

  test('each bad config is a one-line ConfigError naming the file, the server and the key', async ({ tempDir }) => {
    const cases: [unknown, RegExp][] = [
      ['{ "mcpServers": { "a": { "command": "x", } } }', /project\/\.mcp\.json: invalid JSON/],
      [{ mcpServers: { a: { args: ['x'] } } }, /\.mcp\.json: server "a", key "command": needs "command" \(a stdio server\) or "url"/],
      [{ mcpServers: { a: { command: 'x', timeout: 'soon' } } }, /server "a", key "timeout": .*number/],
      [{ mcpServers: { a: { command: 'x', env: { A: 1 } } } }, /server "a", key "env\.A": /],
      [{ mcpServers: { a: { type: 'sse' } } }, /server "a", key "url": a "sse" server needs "url"/],
      [{ mcpServers: { a: { url: 'not a url' } } }, /server "a", key "url": /],
      [{ mcpServers: { a: { command: '${MISSING_VAR}' } } }, /server "a", key "command": \$\{MISSING_VAR\} is not set; export it/],
      [{ mcpServers: [] }, /\.mcp\.json: key "mcpServers": /],
    ];
    const project = join(tempDir, 'project');
    for (const [content, message] of cases) {
      write(join(project, '.mcp.json'), content);
      const error = await loadMcpConfig({ projectRoot: project, env: { HOME: tempDir } }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
    write(join(project, '.mcp.json'), { mcpServers: {} });
    const missing = await loadMcpConfig({ projectRoot: project, env: { HOME: tempDir }, configFiles: ['nope.json'] }).catch((caught: unknown) => caught);
    expect((missing as Error).message).toMatch(/nope\.json: cannot read MCP config \(ENOENT\)/);
  });
});

describe('trust of a project .mcp.json', () => {
  test('project servers wait for approval; a changed file asks again', async ({ tempDir }) => {
    const project = join(tempDir, 'project');
    const env = { HOME: tempDir, XDG_CONFIG_HOME: join(tempDir, 'xdg') };
    write(join(tempDir, 'xdg', 'endure', 'config.json'), { mcpServers: { mine: { command: 'mine' } } });
    write(join(project, '.mcp.json'), { mcpServers: { repo: { command: 'repo-tool' } } });
    const home = stateHome({ ENDURE_HOME: join(tempDir, 'state') });
    expect(home).toBe(join(tempDir, 'state'));
    expect(stateHome({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/endure');
    expect(stateHome({ HOME: '/h' })).toBe('/h/.local/state/endure');
    const store = createTrustStore(home);

    let loaded = await loadMcpConfig({ projectRoot: project, env });
    let untrusted = untrustedServers(loaded, project, store);
    expect(untrusted.map((server) => server.name)).toEqual(['repo']);
    expect(startableServers(loaded, untrusted).map((server) => server.name)).toEqual(['mine']);
    expect(untrustedServers(loaded, project, store, true)).toEqual([]);

    store.trust(project, loaded.projectFile!.content);
    expect(createTrustStore(home).isTrusted(project, loaded.projectFile!.content)).toBe(true);
    untrusted = untrustedServers(loaded, project, store);
    expect(startableServers(loaded, untrusted).map((server) => server.name)).toEqual(['mine', 'repo']);

    write(join(project, '.mcp.json'), { mcpServers: { repo: { command: 'something-else' } } });
    loaded = await loadMcpConfig({ projectRoot: project, env });
    expect(untrustedServers(loaded, project, store).map((server) => server.name)).toEqual(['repo']);
    expect(createTrustStore(home).isTrusted(join(tempDir, 'other'), loaded.projectFile!.content)).toBe(false);
  });
});

describe('tool names', () => {
  test('sanitised, namespaced, capped at 64 and collision-free in a deterministic way', () => {
    const requests = [
      { server: 'fs', tool: 'read_file', builtin: true },
      { server: 'my.server', tool: 'get.thing', builtin: false },
      { server: 'my_server', tool: 'get_thing', builtin: false },
      { server: 'x', tool: 'a'.repeat(100), builtin: false },
      { server: 'x', tool: `${'a'.repeat(100)}b`, builtin: false },
      { server: 'ünï', tool: 'çödé', builtin: false },
    ];
    const names = assignToolNames(requests);
    expect(names[0]).toBe('read_file');
    expect(names[1]).toBe('my_server__get_thing');
    expect(names[2]).toMatch(/^my_server__get_thing_[0-9a-f]{8}$/);
    expect(names[3]).toHaveLength(64);
    expect(names[4]).toHaveLength(64);
    expect(names[3]).not.toBe(names[4]);
    expect(names[5]).toBe('_n_____d_');
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(assignToolNames(requests)).toEqual(names);
  });
});
