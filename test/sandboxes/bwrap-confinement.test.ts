import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createSandbox } from '../../sandboxes/index.js';
import { BASE_ENV, finished, test } from './fixtures.js';

async function runIn(sandbox: ReturnType<typeof createSandbox>, cwd: string, script: string, env = BASE_ENV) {
  return finished(sandbox.spawn('bash', ['-c', script], { cwd, env }));
}

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.end('hello from the host\n'));
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

const CONNECT = `
const socket = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
socket.on('data', (data) => { process.stdout.write('connected: ' + data); socket.destroy(); });
socket.on('error', (error) => { process.stdout.write('error: ' + error.code + '\\n'); });
`;

describe('bwrap confinement', () => {
  test('writes inside the workspace land; writes outside and to the system fail', async ({ workspace, outside }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    await sandbox.prepare();
    const escape = await runIn(sandbox, workspace, `echo in > inside.txt && echo out > ${outside}/escaped.txt`);
    expect(escape.code).not.toBe(0);
    expect(escape.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(join(workspace, 'inside.txt'), 'utf8')).toBe('in\n');
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    const system = await runIn(sandbox, workspace, 'touch /etc/endure-escape');
    expect(system.stderr).toMatch(/Read-only file system/);
    expect(existsSync('/etc/endure-escape')).toBe(false);
    await sandbox.dispose();
  });

  test('/tmp is private and HOME is writable', async ({ workspace, outside }) => {
    const sandbox = createSandbox('bwrap', { workspace, home: outside });
    const marker = `endure-private-${process.pid}-${Date.now()}`;
    const result = await runIn(sandbox, workspace, `touch /tmp/${marker} && mkdir -p "$HOME/.npm" && echo "$HOME"`);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('/tmp/home');
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  test('masked secrets cannot be read; the rest of the home can', async ({ workspace, outside }) => {
    const home = join(outside, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY');
    writeFileSync(join(home, '.aws', 'credentials'), 'aws_secret_access_key=x');
    writeFileSync(join(home, '.netrc'), 'machine example.com password hunter2');
    writeFileSync(join(home, 'notes.txt'), 'not a secret');
    writeFileSync(join(home, 'custom-token'), 'token');
    const sandbox = createSandbox('bwrap', { workspace, home, hidden: [join(home, 'custom-token')] });
    const read = (path: string) => runIn(sandbox, workspace, `cat ${path}`);
    expect((await read(join(home, 'notes.txt'))).stdout).toBe('not a secret');
    for (const secret of ['.ssh/id_rsa', '.aws/credentials', '.netrc', 'custom-token']) {
      const result = await read(join(home, secret));
      expect(result.code, secret).not.toBe(0);
      expect(result.stdout, secret).toBe('');
    }
    const shadow = await read('/etc/shadow');
    expect(shadow.code).not.toBe(0);
    expect(shadow.stdout).toBe('');
  });

  test('a path re-bound read-only inside the workspace stays read-only', async ({ workspace }) => {
    mkdirSync(join(workspace, 'protected'));
    const sandbox = createSandbox('bwrap', { workspace, readOnly: [join(workspace, 'protected')] });
    const result = await runIn(sandbox, workspace, 'echo ok > free.txt; echo no > protected/hook');
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(workspace, 'free.txt'))).toBe(true);
    expect(existsSync(join(workspace, 'protected', 'hook'))).toBe(false);
  });

  test('127.0.0.1 on the host is unreachable with the network off, reachable with it on', async ({ workspace }) => {
    const { server, port } = await listen();
    try {
      const off = createSandbox('bwrap', { workspace });
      const on = createSandbox('bwrap', { workspace, network: true });
      const connect = (sandbox: typeof off) =>
        finished(sandbox.spawn(process.execPath, ['-e', CONNECT, String(port)], { cwd: workspace, env: BASE_ENV }));
      expect((await connect(off)).stdout).toBe('error: ECONNREFUSED\n');
      expect((await connect(on)).stdout).toBe('connected: hello from the host\n');
    } finally {
      server.close();
    }
  });

  test('sockets under /run (docker, dbus, databases) are out of reach', async ({ workspace }) => {
    const socketPath = `/run/endure-test-${process.pid}-${Date.now()}.sock`;
    const server = createServer((socket) => socket.end('hello from a host socket\n'));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const script = CONNECT.replace("Number(process.argv[1]), '127.0.0.1'", 'process.argv[1]');
      const connect = (sandbox: ReturnType<typeof createSandbox>) =>
        finished(sandbox.spawn(process.execPath, ['-e', script, socketPath], { cwd: workspace, env: BASE_ENV }));
      expect((await connect(createSandbox('host', { workspace }))).stdout).toBe('connected: hello from a host socket\n');
      expect((await connect(createSandbox('bwrap', { workspace, network: true }))).stdout).toBe('error: EPERM\n');
    } finally {
      server.close();
    }
  });

  test('git and node work inside', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const env = { ...BASE_ENV, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    const git = await runIn(sandbox, workspace, 'git init -q && echo a > a.txt && git add a.txt && git commit -qm first && git log --format=%s', env);
    expect(git.stderr).toBe('');
    expect(git.stdout).toBe('first\n');
    const node = await finished(sandbox.spawn(process.execPath, ['-e', 'console.log(6 * 7)'], { cwd: workspace, env: BASE_ENV }));
    expect(node.stdout).toBe('42\n');
  });

  test('remounting / writable fails, even as root', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const result = await runIn(sandbox, workspace, 'mount -o remount,rw / && echo REMOUNTED; touch /usr/endure-escape');
    expect(result.stdout).not.toContain('REMOUNTED');
    expect(result.stderr).toMatch(/permission denied|must be superuser|Operation not permitted/i);
    expect(existsSync('/usr/endure-escape')).toBe(false);
  });

  test('nested user namespaces are refused', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const result = await runIn(sandbox, workspace, 'unshare -Ur true && echo NESTED');
    expect(result.stdout).not.toContain('NESTED');
    expect(result.code).not.toBe(0);
  });

  test('the environment is exactly the one given, plus HOME, TMPDIR and PWD', async ({ workspace }) => {
    const sandbox = createSandbox('bwrap', { workspace });
    const result = await finished(sandbox.spawn('/usr/bin/env', [], { cwd: workspace, env: { PATH: '/usr/bin:/bin', ANSWER: '42 with spaces' } }));
    const lines = result.stdout.trim().split('\n').sort();
    expect(lines).toEqual(['ANSWER=42 with spaces', 'HOME=/tmp/home', 'PATH=/usr/bin:/bin', `PWD=${workspace}`, 'TMPDIR=/tmp']);
  });
});
