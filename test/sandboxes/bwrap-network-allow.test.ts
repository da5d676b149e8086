/**
 * `--network allow=...` on real bubblewrap: two HTTP servers on different loopback
 * addresses (127.0.0.2 allowed, 127.0.0.3 not), reached with curl through the
 * proxy variables the sandbox sets. The allowed one answers, plainly and through a
 * CONNECT tunnel; the other gets the proxy's refusal naming it and how to allow
 * it, and is reported; direct connections (no proxy) reach neither, since the
 * sandbox has its own network namespace; and Unix sockets stay out of reach.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { startAllowListProxy, type AllowListProxy } from '../../sandboxes/network-proxy.js';
import { BASE_ENV, finished, test } from './fixtures.js';

function listen(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer((_request, response) => response.end(`hello from ${host}\n`));
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('bwrap with a network allow-list', () => {
  let allowed: { server: Server; port: number };
  let other: { server: Server; port: number };
  let proxy: AllowListProxy;
  const refused: string[] = [];

  beforeAll(async () => {
    allowed = await listen('127.0.0.2');
    other = await listen('127.0.0.3');
    proxy = await startAllowListProxy({ allow: [{ host: '127.0.0.2', port: allowed.port }], onRefused: (host, port) => refused.push(`${host}:${port}`) });
  });
  afterAll(async () => {
    await proxy.close();
    allowed.server.close();
    other.server.close();
  });

  const shell = async (workspace: string, script: string) => {
    const sandbox = createSandbox('bwrap', { workspace, proxy: proxy.socketPath });
    try {
      return await finished(sandbox.spawn('sh', ['-c', script], { cwd: workspace, env: BASE_ENV }));
    } finally {
      await sandbox.dispose();
    }
  };

  test('the allowed host answers through the proxy, plainly and through CONNECT', async ({ workspace }) => {
    const url = `http://127.0.0.2:${allowed.port}/`;
    const host = await finished(createSandbox('host', { workspace }).spawn('curl', ['-sS', '-m', '10', '--noproxy', '*', url], { cwd: workspace, env: BASE_ENV }));
    expect(host.stdout).toBe('hello from 127.0.0.2\n');
    const result = await shell(workspace, `curl -sS -m 10 ${url} && curl -sS -m 10 --proxytunnel ${url}`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hello from 127.0.0.2\nhello from 127.0.0.2\n');
  });

  test('another host gets a refusal that names it and how to allow it, and is reported', async ({ workspace }) => {
    refused.length = 0;
    const url = `http://127.0.0.3:${other.port}/`;
    const plain = await shell(workspace, `curl -sS -m 10 -w '%{http_code}' ${url}`);
    expect(plain.stdout).toContain(`endure: 127.0.0.3:${other.port} is not on the network allow-list`);
    expect(plain.stdout).toContain(`--network allow=127.0.0.2:${allowed.port},127.0.0.3:${other.port}`);
    expect(plain.stdout).toMatch(/403$/);
    const tunnel = await shell(workspace, `curl -sS -m 10 --proxytunnel ${url}`);
    expect(tunnel.code).not.toBe(0);
    expect(tunnel.stderr).toMatch(/CONNECT tunnel failed, response 403/);
    expect(refused).toEqual([`127.0.0.3:${other.port}`, `127.0.0.3:${other.port}`]);
  });

  test('direct connections reach nothing; the proxy variables are set in both spellings', async ({ workspace }) => {
    const direct = await shell(workspace, `curl -sS -m 10 --noproxy '*' http://127.0.0.2:${allowed.port}/; curl -sS -m 10 --noproxy '*' http://127.0.0.3:${other.port}/`);
    expect(direct.stdout).toBe('');
    expect(direct.stderr.match(/^curl: \(7\) Failed to connect/gm)).toHaveLength(2);
    const env = await shell(workspace, 'env | grep -i _proxy= | sort');
    expect(env.stdout).toBe(
      ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']
        .map((name) => `${name}=${/no_proxy/i.test(name) ? 'localhost,127.0.0.1,::1' : 'http://127.0.0.1:3128'}`)
        .join('\n') + '\n',
    );
  });

  test('an allowed name that resolves to this machine is refused (the address itself may be allowed)', async ({ workspace }) => {
    const byName = await startAllowListProxy({ allow: [{ host: 'localhost', port: allowed.port }] });
    try {
      const sandbox = createSandbox('bwrap', { workspace, proxy: byName.socketPath });
      const result = await finished(sandbox.spawn('sh', ['-c', `curl -sS -m 10 --noproxy '' http://localhost:${allowed.port}/; curl -sS -m 10 --noproxy '' --proxytunnel http://localhost:${allowed.port}/`], { cwd: workspace, env: BASE_ENV }));
      await sandbox.dispose();
      expect(result.stdout).toMatch(/^endure: localhost resolves to (127\.0\.0\.1|::1), an address of this machine/);
      expect(result.stderr).toMatch(/CONNECT tunnel failed, response 403/);
    } finally {
      await byName.close();
    }
  });

  test('a Unix socket outside the workspace stays unreachable', async ({ workspace, outside }) => {
    const path = join(outside, 'agent.sock');
    const server = createNetServer((socket) => socket.end('hello\n'));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const script = `const s = require('node:net').connect(process.argv[1]); s.on('data', (d) => { process.stdout.write('connected: ' + d); s.destroy(); }); s.on('error', (e) => process.stdout.write('error: ' + e.code + '\\n'));`;
      const sandbox = createSandbox('bwrap', { workspace, proxy: proxy.socketPath });
      const result = await finished(sandbox.spawn(process.execPath, ['-e', script, path], { cwd: workspace, env: BASE_ENV }));
      await sandbox.dispose();
      expect(result.stdout).toBe('error: EPERM\n');
    } finally {
      server.close();
    }
  });
});
