/**
 * No Unix socket outside the sandbox is reachable from inside bwrap, with the
 * network off or on: a socket in a directory the sandbox can see (where a Docker,
 * D-Bus, ssh-agent or gpg-agent socket could live), and an abstract socket (X11 and
 * some D-Bus buses use them; they belong to the network namespace, so `--network on`
 * shares them). Each case first connects from the host, so the test can fail.
 * Pipes between processes (socketpair) still work inside.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { BASE_ENV, finished, test } from './fixtures.js';

const CONNECT = `
const path = process.argv[1].replace(/^@/, '\\0');
const socket = require('node:net').connect(path);
socket.on('data', (data) => { process.stdout.write('connected: ' + data); socket.destroy(); });
socket.on('error', (error) => { process.stdout.write('error: ' + error.code + '\\n'); });
`;

async function listenOn(path: string): Promise<Server> {
  const server = createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return server;
}

describe('bwrap and Unix sockets', () => {
  for (const network of [false, true]) {
    test(`a socket outside the workspace and an abstract socket are unreachable (network ${network ? 'on' : 'off'})`, async ({ workspace, outside }) => {
      // '@name' is the abstract socket '\0name' (an argv cannot hold a NUL).
      const paths = [join(outside, 'agent.sock'), `@endure-test-abstract-${process.pid}-${network}`];
      const servers = await Promise.all(paths.map((path) => listenOn(path.replace(/^@/, '\0'))));
      try {
        const connect = (kind: 'host' | 'bwrap', path: string) =>
          finished(createSandbox(kind, { workspace, network }).spawn(process.execPath, ['-e', CONNECT, path], { cwd: workspace, env: BASE_ENV }));
        for (const path of paths) {
          expect((await connect('host', path)).stdout, JSON.stringify(path)).toBe('connected: hello from the host\n');
          expect((await connect('bwrap', path)).stdout, JSON.stringify(path)).toBe('error: EPERM\n');
        }
      } finally {
        for (const server of servers) server.close();
      }
    });
  }

  test('processes still talk to their children over pipes', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace, network: true });
    const script = "const { execFileSync } = require('node:child_process'); process.stdout.write(execFileSync('sh', ['-c', 'echo piped | tr a-z A-Z']));";
    const result = await finished(sandbox.spawn(process.execPath, ['-e', script], { cwd: workspace, env: BASE_ENV }));
    expect(result.stdout).toBe('PIPED\n');
    await sandbox.dispose();
  });
});
