/**
 * The build's manifest of built-in tools (src/mcp/builtin-manifest.ts): it is what the servers
 * list, byte for byte; a host with deferred built-ins sends it without starting a server, starts
 * one on a call or when warmed, and a server that lists something else becomes a pending change.
 */
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { builtinManifest } from '../../src/mcp/builtin-manifest.js';
import { liveBuiltinManifest } from '../../src/mcp/builtin-listing.js';
import { defaultBuiltins } from '../../src/mcp/builtin-servers.js';
import { LogRecorder, fixture, gitWorkspace, test } from './support.js';

describe('manifest of the built-in tools', () => {
  test('equals the servers\' live tools/list, byte for byte, for every variant', async ({ tempDir }) => {
    const manifest = builtinManifest();
    expect(manifest, 'run npm run build first').toBeDefined();
    expect(JSON.stringify(manifest)).toBe(JSON.stringify(await liveBuiltinManifest(gitWorkspace(tempDir))));
    expect(Object.keys(manifest!)).toEqual(['fs', 'shell', 'git', 'git+push']);
    expect(manifest!['git+push']!.map((tool) => tool.name)).toContain('git_push');
    expect(manifest!.git!.map((tool) => tool.name)).not.toContain('git_push');
  });

  test('deferred: the same tools as a started host, no server started until a call, nothing pending after', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const started = await makeHost({ projectRoot: root, builtins: defaultBuiltins({ root }) });
    const deferred = await makeHost({ projectRoot: root, builtins: defaultBuiltins({ root }), deferBuiltins: true });
    const before = JSON.stringify(deferred.tools());
    expect(before).toBe(JSON.stringify(started.tools()));
    expect(deferred.servers().map((server) => server.status.state)).toEqual(['starting', 'starting', 'starting']);
    expect((await deferred.call('read_file', { path: 'notes.txt' })).text).toContain('first line');
    expect(deferred.servers().map((server) => server.status.state)).toEqual(['ready', 'starting', 'starting']);
    expect(deferred.hasPendingToolChanges()).toBe(false);
    expect(await deferred.applyPendingToolChanges()).toBe(false);
    expect(JSON.stringify(deferred.tools())).toBe(before);
  });

  test('warm starts every deferred server without a call', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const log = new LogRecorder();
    const host = await makeHost({ projectRoot: root, builtins: defaultBuiltins({ root, allowPush: true }), deferBuiltins: true, log: log.log });
    expect(host.tools().map((tool) => tool.name)).toContain('git_push');
    host.warm();
    // A ping waits for the start that warm began (it does not begin another).
    for (const name of ['fs', 'shell', 'git']) expect(await host.ping(name)).toBeGreaterThanOrEqual(0);
    expect(host.servers().map((server) => server.status.state)).toEqual(['ready', 'ready', 'ready']);
    expect(log.entries.filter((entry) => entry.kind === 'lifecycle')).toEqual([]);
    expect(host.hasPendingToolChanges()).toBe(false);
  });

  test('a built-in that lists other tools than its manifest entry: a pending change, applied at a safe point', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const [fs] = defaultBuiltins({ root });
    // The shell's entry stands in for fs's: the live fs listing differs.
    const host = await makeHost({ projectRoot: root, builtins: [{ ...fs!, manifestKey: 'shell' }], deferBuiltins: true });
    // The host orders a server's tools by name.
    expect(host.tools().map((tool) => tool.name)).toEqual(builtinManifest()!.shell!.map((tool) => tool.name).sort());
    expect(host.hasPendingToolChanges()).toBe(false);
    await host.ping('fs');
    expect(host.hasPendingToolChanges()).toBe(true);
    expect(host.tools().map((tool) => tool.name)).toEqual(['job_kill', 'job_output', 'run_shell']);
    expect(await host.applyPendingToolChanges()).toBe(true);
    expect(host.tools().map((tool) => tool.name)).toContain('read_file');
  });

  test('user servers are still listed before the host is ready; deferred built-ins come first', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const host = await makeHost({ projectRoot: root, builtins: defaultBuiltins({ root }), servers: [fixture('aaa')], deferBuiltins: true });
    const servers = host.servers();
    expect(servers.map((server) => [server.name, server.status.state])).toEqual([['fs', 'starting'], ['shell', 'starting'], ['git', 'starting'], ['aaa', 'ready']]);
    expect(host.tools().at(-1)!.server).toBe('aaa');
  });

  test('bwrap: deferred built-ins start as confined children on their first call', async ({ makeHost, tempDir }) => {
    const root = gitWorkspace(tempDir);
    const sandbox = createSandbox('bwrap', { workspace: root });
    await sandbox.prepare();
    const host = await makeHost({ projectRoot: root, sandbox, builtins: defaultBuiltins({ root }), deferBuiltins: true });
    const ran = await host.call('run_shell', { command: 'cat notes.txt && ls /home | wc -l' });
    expect(ran.isError).toBe(false);
    expect(ran.text).toContain('first line');
    await host.close();
    await sandbox.dispose();
  });
});
