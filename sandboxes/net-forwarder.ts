/**
 * Runs first inside a sandbox with `--network allow=...`: listens on
 * 127.0.0.1:<port> (HTTP_PROXY points there), passes each connection up to the
 * launcher outside over the IPC channel it inherited, then runs the real command
 * with that channel kept from it.
 *
 *   node net-forwarder.js <port> -- <command> <args...>
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { constants } from 'node:os';

const [portText, separator, command, ...args] = process.argv.slice(2);
if (portText === undefined || separator !== '--' || command === undefined || process.send === undefined) {
  process.stderr.write('usage: net-forwarder <port> -- <command> <args...> (with an IPC channel)\n');
  process.exit(2);
}

const env = { ...process.env };
delete env.NODE_CHANNEL_FD;
delete env.NODE_CHANNEL_SERIALIZATION_MODE;

const server = createServer({ pauseOnConnect: true }, (socket) => {
  process.send!('connection', socket, undefined, (error) => {
    if (error) socket.destroy();
  });
});
server.listen(Number(portText), '127.0.0.1', () => {
  const child = spawn(command, args, { stdio: 'inherit', env });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`endure: cannot start ${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
});
