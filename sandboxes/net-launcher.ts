/**
 * Starts bwrap for `--network allow=...` and carries the sandbox's connections to
 * endure's proxy. Runs on the host, between the spawner and bwrap:
 *
 *   node net-launcher.js <proxy socket> <seccomp filter | -> <bwrap> <bwrap args...>
 *
 * The sandbox has its own network namespace and no Unix sockets (seccomp), so its
 * forwarder (net-forwarder.ts) cannot dial out at all: it accepts a connection on
 * 127.0.0.1 inside and passes the socket itself up over Node's IPC channel (an
 * inherited socketpair, fd 3). Here it is joined to the proxy's Unix socket. The
 * filter goes to bwrap as fd 4. Stdio passes straight through to bwrap.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { constants } from 'node:os';

const [proxySocket, filter, bwrap, ...args] = process.argv.slice(2);
if (proxySocket === undefined || filter === undefined || bwrap === undefined) {
  process.stderr.write('usage: net-launcher <proxy socket> <seccomp filter | -> <bwrap> <args...>\n');
  process.exit(2);
}

const stdio: StdioOptions = ['inherit', 'inherit', 'inherit', 'ipc'];
if (filter !== '-') stdio.push(openSync(filter, 'r'));
const child = spawn(bwrap, args, { stdio });

child.on('message', (message, handle) => {
  if (message !== 'connection' || handle === undefined) return;
  const inside = handle as Socket;
  const upstream = connect(proxySocket);
  const drop = (): void => {
    inside.destroy();
    upstream.destroy();
  };
  inside.on('error', drop);
  upstream.on('error', drop);
  inside.pipe(upstream).pipe(inside);
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`endure: cannot start ${bwrap}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));

// bwrap dies with this process (--die-with-parent); this process dies with endure.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGKILL');
}, 500);
