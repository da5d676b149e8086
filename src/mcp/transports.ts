/**
 * How each kind of server is reached, separated from what is said over the
 * connection: built-in servers in-process over the in-memory transport (host
 * sandbox) or as stdio children through `sandbox.wrap` (bwrap, container); user
 * servers over stdio (on the host unless `"sandbox": true`), Streamable HTTP or
 * legacy SSE. A stdio server's stderr goes to the log callback, never the
 * terminal.
 */
import type { Readable } from 'node:stream';
import { InMemoryTransport, SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { Sandbox } from '../../sandboxes/types.js';
import type { HttpServerConfig, StdioServerConfig } from './config-schema.js';
import type { BuiltinServer, HostLog } from './host-types.js';

export type TransportFactory = () => Promise<Transport>;

export interface TransportContext {
  /** The session's sandbox; absent or kind "host" means no confinement. */
  sandbox?: Sandbox;
  /** Directory relative stdio `cwd`s resolve against, and the default cwd. */
  projectRoot: string;
  log: HostLog;
}

export function builtinTransport(server: BuiltinServer, context: TransportContext): TransportFactory {
  const sandbox = context.sandbox;
  if (sandbox === undefined || sandbox.kind === 'host') {
    return async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const instance = await server.create();
      await instance.connect(serverSide);
      return clientSide;
    };
  }
  return async () => {
    const { command, args } = server.command();
    const wrapped = sandbox.wrap(command, args, { cwd: sandbox.workspace, env: processEnv() });
    return stdio(server.name, { command: wrapped.command, args: wrapped.args, env: wrapped.env, cwd: wrapped.cwd }, context.log);
  };
}

export function stdioTransport(name: string, config: StdioServerConfig, context: TransportContext): TransportFactory {
  return async () => {
    const env = { ...defaultEnv(), ...config.env };
    const cwd = config.cwd ?? context.projectRoot;
    const sandbox = context.sandbox;
    if (config.sandbox === true && sandbox !== undefined && sandbox.kind !== 'host') {
      const wrapped = sandbox.wrap(config.command, config.args, { cwd, env });
      return stdio(name, wrapped, context.log);
    }
    return stdio(name, { command: config.command, args: config.args, env, cwd }, context.log);
  };
}

export function httpTransport(config: HttpServerConfig): TransportFactory {
  return async () => {
    const url = new URL(config.url);
    const headers = config.headers;
    if (config.transport === 'sse') {
      return new SSEClientTransport(url, {
        requestInit: { headers },
        eventSourceInit: {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...headers } }),
        },
      });
    }
    return new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  };
}

/** Built-in servers see what they would see in-process; the shell server filters secrets itself. */
function processEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((item): item is [string, string] => item[1] !== undefined));
}

function defaultEnv(): Record<string, string> {
  return getDefaultEnvironment();
}

function stdio(
  name: string,
  params: { command: string; args: string[]; env: Record<string, string>; cwd: string },
  log: HostLog,
): Transport {
  const transport = new StdioClientTransport({ ...params, stderr: 'pipe' });
  const stream = transport.stderr as Readable | null;
  if (stream) forwardLines(stream, (line) => log({ server: name, kind: 'stderr', message: line }));
  return transport;
}

function forwardLines(stream: Readable, emit: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') emit(line.trimEnd());
    if (pending.length > 64 * 1024) {
      emit(pending);
      pending = '';
    }
  });
  stream.on('end', () => {
    if (pending.trim() !== '') emit(pending.trimEnd());
  });
}
