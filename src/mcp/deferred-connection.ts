/**
 * A built-in server whose tools are known from the build's manifest: the host lists them at
 * once, and the server (with the MCP client SDK behind it) is loaded and started only when
 * warmed (once the first request is out) or called. Until then it has nothing pending.
 */
import type { ServerStatus } from './host-types.js';
import type { ServerConnection } from './server-connection.js';
import type { ListedTool } from './tool-list.js';
import type { ToolCallOptions, ToolCallResult } from './types.js';

/** What the host asks of a server, started or not. */
export type Connection = Pick<
  ServerConnection,
  'name' | 'tools' | 'hasPendingTools' | 'applyPending' | 'status' | 'start' | 'warm' | 'refresh' | 'call' | 'ping' | 'close'
>;

export class DeferredConnection implements Connection {
  private real: ServerConnection | undefined;
  private opening: Promise<ServerConnection> | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly known: readonly ListedTool[],
    /** Builds the real connection (applied list: `known`); called once. */
    private readonly make: () => Promise<ServerConnection>,
  ) {}

  tools(): readonly ListedTool[] {
    return this.real?.tools() ?? this.known;
  }

  hasPendingTools(): boolean {
    return this.real?.hasPendingTools() ?? false;
  }

  applyPending(): boolean {
    return this.real?.applyPending() ?? false;
  }

  status(): ServerStatus {
    if (this.closed) return { state: 'closed' };
    return this.real?.status() ?? { state: 'starting' };
  }

  /** Nothing to wait for: its tools are known. */
  async start(): Promise<void> {}

  warm(): void {
    this.connection().then(
      (connection) => connection.warm(),
      () => undefined,
    );
  }

  async refresh(): Promise<void> {
    await this.real?.refresh();
  }

  async call(tool: string, args: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolCallResult> {
    return (await this.connection()).call(tool, args, options);
  }

  async ping(): Promise<number> {
    return (await this.connection()).ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.then((connection) => connection.close()).catch(() => undefined);
  }

  private connection(): Promise<ServerConnection> {
    if (this.closed) return Promise.reject(new Error('the tool host is closed'));
    this.opening ??= this.make().then((connection) => {
      this.real = connection;
      if (this.closed) void connection.close();
      return connection;
    });
    return this.opening;
  }
}
