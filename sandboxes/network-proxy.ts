/**
 * The proxy behind `--network allow=...`: an HTTP proxy (plain requests and HTTPS
 * CONNECT) that endure runs outside the sandbox, on a Unix socket in a private
 * directory. The sandbox has no network of its own; its forwarder hands each
 * connection out here (net-launcher.ts). A host that is not on the list gets a
 * 403 whose body names it and says how to allow it, and `onRefused` hears of it.
 * An allowed name is resolved here, once, and refused when it points at this
 * machine or a link-local address (a name must not become a way to the host's own
 * services or a cloud metadata endpoint); an address written in the list is taken
 * as meant. The connection then goes to the address that was checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAllowList, isAllowed, type AllowedHost } from './network-allow.js';

export interface AllowListProxy {
  /** The Unix socket the proxy listens on. */
  socketPath: string;
  close(): Promise<void>;
}

export interface ProxyOptions {
  allow: readonly AllowedHost[];
  /** Told of every refused host (for the journal). */
  onRefused?: (host: string, port: number) => void;
}

/** Loopback, link-local (metadata endpoints) and unspecified addresses. */
const LOCAL_ADDRESS = /^(127\.|0\.|169\.254\.|::1$|::$|fe[89ab][0-9a-f]:|::ffff:(127\.|0\.|169\.254\.))/i;

/** The address to dial: an IP as written, or the checked resolution of a name; a string saying why not otherwise. */
async function resolveTarget(host: string): Promise<{ address: string } | { refused: string }> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return { address: bare };
  let addresses: { address: string }[];
  try {
    addresses = await lookup(bare, { all: true });
  } catch (error) {
    return { refused: `endure: ${bare} could not be resolved (${(error as Error).message})\n` };
  }
  const local = addresses.find((entry) => LOCAL_ADDRESS.test(entry.address));
  if (local !== undefined)
    return { refused: `endure: ${bare} resolves to ${local.address}, an address of this machine or a link-local one; allow that address itself if you mean it\n` };
  return { address: addresses[0]!.address };
}

function refusal(host: string, port: number, allow: readonly AllowedHost[]): string {
  const wanted = formatAllowList([...allow, { host, port }]);
  return `endure: ${host}:${port} is not on the network allow-list (${formatAllowList(allow)}); to allow it, run with --network allow=${wanted} or add "${host}:${port}" to network.allow in the user config\n`;
}

export async function startAllowListProxy(options: ProxyOptions): Promise<AllowListProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'endure-proxy-'));
  const socketPath = join(dir, 'proxy.sock');
  const sockets = new Set<Socket>();
  const refuse = (host: string, port: number): string => {
    options.onRefused?.(host, port);
    return refusal(host, port, options.allow);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('endure: this proxy takes absolute http:// URLs and CONNECT\n');
      return;
    }
    const port = Number(target.port || 80);
    if (target.protocol !== 'http:' || !isAllowed(options.allow, target.hostname, port)) {
      response.writeHead(403, { 'content-type': 'text/plain', 'x-endure-refused': `${target.hostname}:${port}` }).end(refuse(target.hostname, port));
      return;
    }
    void forward(request, response, target, port);
  });

  async function forward(request: IncomingMessage, response: ServerResponse, target: URL, port: number): Promise<void> {
    const resolved = await resolveTarget(target.hostname);
    if ('refused' in resolved) {
      response.writeHead(403, { 'content-type': 'text/plain', 'x-endure-refused': `${target.hostname}:${port}` }).end(resolved.refused);
      return;
    }
    const headers = { ...request.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = httpRequest(
      { host: resolved.address, port, method: request.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`endure: ${target.host} could not be reached: ${error.message}\n`);
    });
    request.pipe(upstream);
  }

  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    void tunnel(request, client, head);
  });

  async function tunnel(request: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const [host = '', portText = '443'] = splitHostPort(request.url ?? '');
    const port = Number(portText);
    if (!isAllowed(options.allow, host, port)) {
      const body = refuse(host, port);
      forbid(client, host, port, body);
      return;
    }
    const resolved = await resolveTarget(host);
    if ('refused' in resolved) {
      forbid(client, host, port, resolved.refused);
      return;
    }
    const upstream = connect(port, resolved.address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', (error) => {
      if (client.writable) client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nendure: ${host}:${port} could not be reached: ${error.message}\n`);
      drop();
    });
    client.on('error', drop);
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function forbid(client: Socket, host: string, port: number, body: string): void {
  client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-endure-refused: ${host}:${port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** `host:port` or `[v6]:port`. */
function splitHostPort(authority: string): [string, string] {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(authority);
  if (v6) return [v6[1]!, v6[2]!];
  const at = authority.lastIndexOf(':');
  return at === -1 ? [authority, '443'] : [authority.slice(0, at), authority.slice(at + 1)];
}
