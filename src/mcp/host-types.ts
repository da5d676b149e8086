/**
 * Types shared by the host's modules and its callers: built-in server
 * descriptions, log entries, server-to-client request handlers and per-server
 * status. Kept apart so the transport and connection modules do not import
 * the host.
 */
import type { Transport } from '@modelcontextprotocol/client';

/** An MCP server object that can be attached to a transport in-process (the v2 SDK's McpServer). */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** A built-in tool server: in-process for the host sandbox, a stdio child otherwise. */
export interface BuiltinServer {
  /** "fs", "shell", "git": its tools keep their plain names. */
  name: string;
  /** Its entry in the build's manifest of built-in tools (src/mcp/builtin-manifest.ts; "git+push" is git with git_push); without one it starts before the first request. */
  manifestKey?: string;
  create(): Promise<ConnectableServer>;
  /** The standalone command (`node dist/tools/<x>/server.js --root DIR`) for confined runs. */
  command(): { command: string; args: string[] };
}

export interface HostLogEntry {
  server: string;
  /** stderr: the server's stderr; notice: MCP log notifications; error: protocol noise; lifecycle: start, crash, restart. */
  kind: 'stderr' | 'notice' | 'error' | 'lifecycle';
  message: string;
}

/** Where server output goes (the session log); never the terminal. */
export type HostLog = (entry: HostLogEntry) => void;

/** The parts of an `elicitation/create` request a UI needs to ask the user. */
export interface ElicitationRequest {
  server: string;
  message: string;
  /** Form mode: the JSON Schema of the answer; absent in URL mode. */
  requestedSchema?: Record<string, unknown>;
  /** URL mode: the page the user must open. */
  url?: string;
}

export type ElicitationAnswer =
  | { action: 'accept'; content?: Record<string, unknown> }
  | { action: 'decline' }
  | { action: 'cancel' };

/**
 * Optional answers to server-to-client requests. Without a handler the
 * capability is not declared (servers then hide the tools that need it) and a
 * request that arrives anyway gets a JSON-RPC error. `roots` is never declared.
 */
export interface ServerRequestHandlers {
  elicit?: (request: ElicitationRequest, signal: AbortSignal) => Promise<ElicitationAnswer>;
  /** `sampling/createMessage`: returns the model's text answer. */
  sample?: (
    request: { server: string; params: Record<string, unknown> },
    signal: AbortSignal,
  ) => Promise<{ model: string; text: string }>;
}

export type ServerStatus =
  | { state: 'starting' }
  | { state: 'ready'; tools: number }
  | { state: 'restarting'; reason: string }
  | { state: 'failed'; reason: string }
  | { state: 'closed' };
