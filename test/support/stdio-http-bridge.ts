/**
 * A small stdio-to-Streamable-HTTP bridge, so that HTTP-only MCP clients (the
 * official conformance suite) can test our stdio tool servers. Each HTTP
 * session spawns one server process; messages pass through unchanged.
 * Responses are routed by id, progress by its token, and any other
 * server-to-client message to the newest request still open. Built on the v2
 * SDK: `@modelcontextprotocol/node`'s NodeStreamableHTTPServerTransport and
 * localhost Host-header guard, `@modelcontextprotocol/client`'s stdio transport.
 * It binds 127.0.0.1 only and reaps sessions idle for `idleMs`.
 */
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { localhostHostValidation, NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StdioHttpBridgeOptions {
  /** The stdio server to spawn per session, e.g. `process.execPath`. */
  command: string;
  args: string[];
  /** TCP port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Sessions untouched this long are closed (the 0.1 conformance CLI never DELETEs its sessions). @default 15000 */
  idleMs?: number;
  /** Server processes started ahead of demand, so a new session does not wait for a cold start. @default 2 */
  prewarm?: number;
}

export interface StdioHttpBridge {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  /** Number of sessions (server processes) currently open. */
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  http: NodeStreamableHTTPServerTransport;
  child: StdioClientTransport;
  seen: number;
}

type Routed = { id?: RequestId; method?: string; params?: { progressToken?: unknown; _meta?: { progressToken?: unknown } } };

async function startChild(options: StdioHttpBridgeOptions): Promise<StdioClientTransport> {
  const child = new StdioClientTransport({ command: options.command, args: options.args, stderr: 'ignore' });
  await child.start();
  return child;
}

function openSession(child: StdioClientTransport, sessions: Map<string, Session>): Session {
  const inflight = new Map<unknown, RequestId>();
  const http = new NodeStreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    onsessioninitialized: (id) => {
      sessions.set(id, session);
    },
  });
  const session: Session = { http, child, seen: Date.now() };
  http.onmessage = (message) => {
    const m = message as Routed;
    if (m.id !== undefined && m.method !== undefined) {
      inflight.set(m.id, m.id);
      const token = m.params?._meta?.progressToken;
      if (token !== undefined) inflight.set(`progress:${String(token)}`, m.id);
    }
    child.send(message).catch(() => {});
  };
  child.onmessage = (message: JSONRPCMessage) => {
    const m = message as Routed;
    let related: RequestId | undefined;
    if (m.id !== undefined && m.method === undefined) inflight.delete(m.id);
    else if (m.params?.progressToken !== undefined) related = inflight.get(`progress:${String(m.params.progressToken)}`);
    else related = [...inflight.values()].pop();
    http.send(message, related !== undefined ? { relatedRequestId: related } : undefined).catch(() => {});
  };
  child.onclose = () => {
    void http.close();
  };
  http.onclose = () => {
    if (http.sessionId) sessions.delete(http.sessionId);
    void child.close();
  };
  return session;
}

/** Starts the bridge; resolves once it listens. */
export async function startStdioHttpBridge(options: StdioHttpBridgeOptions): Promise<StdioHttpBridge> {
  const sessions = new Map<string, Session>();
  const idleMs = options.idleMs ?? 15_000;
  const spares: Promise<StdioClientTransport>[] = [];
  const topUp = () => {
    while (spares.length < (options.prewarm ?? 2)) spares.push(startChild(options));
  };
  const takeChild = () => {
    const child = spares.shift() ?? startChild(options);
    topUp();
    return child;
  };
  topUp();
  const guardHost = localhostHostValidation();
  const unknownSession = (res: ServerResponse) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Unknown session' }, id: null }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!guardHost(req, res)) return;
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const id = req.headers['mcp-session-id'];
    let session = typeof id === 'string' ? sessions.get(id) : undefined;
    const isNew = !session;
    if (!session) {
      if (id !== undefined || req.method !== 'POST') return unknownSession(res);
      session = openSession(await takeChild(), sessions);
    }
    session.seen = Date.now();
    await session.http.handleRequest(req, res);
    if (isNew && !session.http.sessionId) await session.http.close();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: String(error) }, id: null }));
    });
  });
  const reaper = setInterval(() => {
    for (const session of sessions.values()) if (Date.now() - session.seen > idleMs) void session.http.close();
  }, Math.min(idleMs, 5_000));
  reaper.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sessionCount: () => sessions.size,
    close: async () => {
      clearInterval(reaper);
      await Promise.all([...sessions.values()].map((session) => session.http.close()));
      await Promise.all(spares.splice(0).map(async (spare) => (await spare).close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
