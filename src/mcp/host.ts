/**
 * The MCP host: every tool server of a session behind one ToolHost. It owns the
 * fixed tool order (built-ins first in their given order, then user servers by
 * name, tools by name), the model-facing names and converted schemas, and the
 * rule that a changed tool list reaches the model only when the loop calls
 * `applyPendingToolChanges()` (at a compaction or a new user message), so that
 * every request between those points extends the previous one byte for byte.
 */
import { compareNames, type ConfiguredServer } from './config.js';
import type { Sandbox } from '../../sandboxes/types.js';
import type { BuiltinServer, HostLog, ServerRequestHandlers, ServerStatus } from './host-types.js';
import { convertInputSchema, type SchemaLimits } from './schema-convert.js';
import { builtinManifest } from './builtin-manifest.js';
import { DeferredConnection, type Connection } from './deferred-connection.js';
import type { ServerConnection } from './server-connection.js';
import { assignToolNames } from './tool-names.js';
import type { TransportContext, TransportFactory } from './transports.js';
import type { ListedTool } from './tool-list.js';
import type { ToolCallOptions, ToolCallResult, ToolDescriptor, ToolHost } from './types.js';

/** Timeouts of one class of server. */
export interface CallLimits {
  /** Idle ms a call may go without a response or progress. */
  idleTimeoutMs: number;
  /** Absolute ms for one call. */
  maxTotalTimeoutMs: number;
}

export interface ToolHostOptions {
  /** Default working directory of user stdio servers. */
  projectRoot: string;
  /** Built-in servers, in the order their tools are listed. @default [] */
  builtins?: readonly BuiltinServer[];
  /** User servers allowed to start (trusted, not disabled). @default [] */
  servers?: readonly ConfiguredServer[];
  /** The session's sandbox; absent means the host (built-ins in-process). */
  sandbox?: Sandbox;
  /** Server stderr, log notifications and lifecycle events (the session log). @default ignore */
  log?: HostLog;
  /** Each warning as it happens (a server that did not start, a skipped tool). */
  onWarning?: (message: string) => void;
  /** Called once when a tool list change becomes pending. */
  onToolsPending?: () => void;
  /** Answers to sampling and elicitation; without them those capabilities are not declared. */
  handlers?: ServerRequestHandlers;
  /** @default { idleTimeoutMs: 120000, maxTotalTimeoutMs: 1800000 } */
  userLimits?: CallLimits;
  /** Built-in tools enforce their own limits; these are a backstop. @default { idleTimeoutMs: 1800000, maxTotalTimeoutMs: 7200000 } */
  builtinLimits?: CallLimits;
  /** Connect and first listing. @default 30000 */
  startupTimeoutMs?: number;
  /** @default { initialMs: 250, maxMs: 10000, maxRestarts: 5 } */
  backoff?: { initialMs: number; maxMs: number; maxRestarts: number };
  schemaLimits?: SchemaLimits;
  /** @default { name: 'endure', version: '0.1.0' } */
  clientInfo?: { name: string; version: string };
  /**
   * Built-ins with a manifest entry are listed from it and start on `warm()` or their first call,
   * so the first request waits for none of them (exec, the UI). @default false: all start now
   */
  deferBuiltins?: boolean;
}

/** The ToolHost the loop uses, plus what it needs for warnings and safe-point updates. */
export interface McpToolHost extends ToolHost {
  /** Warnings so far, in order (servers that did not start, skipped tools). */
  warnings(): readonly string[];
  /** True when a server announced (or a restart produced) a different tool list not yet applied. */
  hasPendingToolChanges(): boolean;
  /** Re-lists HTTP servers, applies every pending list; true when tools() changed. Call only at a safe point. */
  applyPendingToolChanges(): Promise<boolean>;
  /** Each server's state, built-ins first, for `doctor` and the UI. */
  servers(): { name: string; builtin: boolean; status: ServerStatus }[];
  /** One ping round trip to a server, in ms (for `endure mcp test` and `doctor`). */
  ping(server: string): Promise<number>;
  /** Starts the deferred built-ins without waiting (once the first request is out). */
  warm(): void;
}

interface Entry {
  connection: Connection;
  builtin: boolean;
  config?: ConfiguredServer['config'];
  relistOnApply: boolean;
}

export async function createToolHost(options: ToolHostOptions): Promise<McpToolHost> {
  const lastStderr = new Map<string, string>();
  const log: HostLog = (entry) => {
    if (entry.kind === 'stderr') lastStderr.set(entry.server, entry.message);
    options.log?.(entry);
  };
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    options.onWarning?.(message);
  };
  let pending = false;
  const context: TransportContext = { projectRoot: options.projectRoot, log, ...(options.sandbox ? { sandbox: options.sandbox } : {}) };
  const userLimits = options.userLimits ?? { idleTimeoutMs: 120_000, maxTotalTimeoutMs: 1_800_000 };
  const builtinLimits = options.builtinLimits ?? { idleTimeoutMs: 1_800_000, maxTotalTimeoutMs: 7_200_000 };

  // The MCP client SDK (and the connection and transports over it) loads only when a server starts.
  let sdk: Promise<[typeof import('./server-connection.js'), typeof import('./transports.js')]> | undefined;
  const loadSdk = () => (sdk ??= Promise.all([import('./server-connection.js'), import('./transports.js')]));

  const connect = (
    ServerConnection: typeof import('./server-connection.js').ServerConnection,
    name: string,
    createTransport: TransportFactory,
    limits: CallLimits,
    known?: readonly ListedTool[],
  ): ServerConnection =>
    new ServerConnection({
      name,
      createTransport,
      clientInfo: options.clientInfo ?? { name: 'endure', version: '0.1.0' },
      handlers: options.handlers ?? {},
      idleTimeoutMs: limits.idleTimeoutMs,
      maxTotalTimeoutMs: limits.maxTotalTimeoutMs,
      startupTimeoutMs: options.startupTimeoutMs ?? 30_000,
      backoff: options.backoff ?? { initialMs: 250, maxMs: 10_000, maxRestarts: 5 },
      log,
      onToolsPending: () => {
        if (!pending) {
          pending = true;
          options.onToolsPending?.();
        }
      },
      onSkipped: (skipped) => {
        for (const tool of skipped) warn(`MCP server "${name}": tool "${tool.name}" skipped: ${tool.reason}`);
      },
      ...(known ? { known } : {}),
    });

  const manifest = options.deferBuiltins ? builtinManifest() : undefined;
  const builtins = options.builtins ?? [];
  const users = [...(options.servers ?? [])].sort((a, b) => compareNames(a.name, b.name));
  const deferred = builtins.map((server) => (server.manifestKey ? manifest?.[server.manifestKey] : undefined));
  // Loaded now only when some server must be listed before the first request.
  const eager = users.length > 0 || deferred.includes(undefined) ? await loadSdk() : undefined;

  const entries: Entry[] = [
    ...builtins.map((server, index) => {
      const known = deferred[index];
      const connection: Connection = known
        ? new DeferredConnection(server.name, known, async () => {
            const [{ ServerConnection }, { builtinTransport }] = await loadSdk();
            return connect(ServerConnection, server.name, builtinTransport(server, context), builtinLimits, known);
          })
        : connect(eager![0].ServerConnection, server.name, eager![1].builtinTransport(server, context), builtinLimits);
      return { connection, builtin: true, relistOnApply: false };
    }),
    ...users.map((server) => {
      const [{ ServerConnection }, { stdioTransport, httpTransport }] = eager!;
      return {
        connection: connect(
          ServerConnection,
          server.name,
          server.config.transport === 'stdio' ? stdioTransport(server.name, server.config, context) : httpTransport(server.config),
          {
            idleTimeoutMs: server.config.timeout ?? userLimits.idleTimeoutMs,
            maxTotalTimeoutMs: server.config.maxTotalTimeout ?? userLimits.maxTotalTimeoutMs,
          },
        ),
        builtin: false,
        config: server.config,
        relistOnApply: server.config.transport !== 'stdio',
      };
    }),
  ];

  const started = await Promise.allSettled(entries.map((entry) => entry.connection.start()));
  started.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      const name = entries[index]!.connection.name;
      const said = lastStderr.get(name);
      const reason = `${(outcome.reason as Error).message}${said ? `; its last words: ${said.slice(0, 300)}` : ''}`;
      warn(`MCP server "${name}" did not start (${reason}); continuing without it`);
    }
  });

  let warmed = false;
  let table = buildTable(entries, options.schemaLimits);
  let byName = new Map(table.map((row) => [row.descriptor.name, row]));
  const descriptors = () => table.map((row) => row.descriptor);
  let frozen = Object.freeze(descriptors());

  return {
    tools: () => frozen,
    async call(name: string, args: Record<string, unknown>, callOptions?: ToolCallOptions): Promise<ToolCallResult> {
      const row = byName.get(name);
      if (row === undefined) return { isError: true, text: `There is no tool named "${name}". Use one of the tools listed.` };
      return row.entry.connection.call(row.descriptor.mcpName, args, callOptions);
    },
    warnings: () => warnings,
    hasPendingToolChanges: () => entries.some((entry) => entry.connection.hasPendingTools()),
    async applyPendingToolChanges() {
      await Promise.all(entries.filter((entry) => entry.relistOnApply).map((entry) => entry.connection.refresh()));
      pending = false;
      let changed = false;
      for (const entry of entries) if (entry.connection.applyPending()) changed = true;
      if (!changed) return false;
      table = buildTable(entries, options.schemaLimits);
      byName = new Map(table.map((row) => [row.descriptor.name, row]));
      frozen = Object.freeze(descriptors());
      return true;
    },
    servers: () => entries.map((entry) => ({ name: entry.connection.name, builtin: entry.builtin, status: entry.connection.status() })),
    async ping(server: string) {
      const entry = entries.find((candidate) => candidate.connection.name === server);
      if (entry === undefined) throw new Error(`no MCP server named "${server}"`);
      return entry.connection.ping();
    },
    warm() {
      if (warmed) return;
      warmed = true;
      for (const entry of entries) entry.connection.warm();
    },
    async close() {
      await Promise.all(entries.map((entry) => entry.connection.close()));
    },
  };
}

interface Row {
  entry: Entry;
  descriptor: ToolDescriptor;
}

function buildTable(entries: readonly Entry[], limits: SchemaLimits | undefined): Row[] {
  const picked: { entry: Entry; tool: ListedTool }[] = [];
  for (const entry of entries) {
    const tools = [...entry.connection.tools()].sort((a, b) => compareNames(a.name, b.name));
    for (const tool of tools) if (allowed(tool.name, entry.config)) picked.push({ entry, tool });
  }
  const names = assignToolNames(
    picked.map(({ entry, tool }) => ({ server: entry.connection.name, tool: tool.name, builtin: entry.builtin })),
  );
  return picked.map(({ entry, tool }, index) => ({
    entry,
    descriptor: {
      name: names[index]!,
      server: entry.connection.name,
      mcpName: tool.name,
      description: tool.description,
      inputSchema: convertInputSchema(tool.inputSchema, limits),
      annotations: tool.annotations,
    },
  }));
}

function allowed(tool: string, config: ConfiguredServer['config'] | undefined): boolean {
  if (config === undefined) return true;
  if (config.excludeTools?.includes(tool)) return false;
  return config.includeTools === undefined || config.includeTools.includes(tool);
}
