/**
 * One MCP server's life inside the host: connect, list its tools, call them
 * with an idle timeout (reset by progress) and an absolute cap, and come back
 * after a crash. A crash fails only the calls in flight (as error results);
 * the next call restarts the server after a backoff, and a restart or a
 * `list_changed` yields a new tool list that waits, as pending, until the host
 * applies it at a safe point.
 */
import { Client, ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, type Transport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { ToolServerError, oneLine } from '../shared/errors.js';
import type { HostLog, ServerRequestHandlers, ServerStatus } from './host-types.js';
import { resultToText } from './result-text.js';
import { listToolsLoosely, type ListedTool, type SkippedTool } from './tool-list.js';
import type { ToolCallOptions, ToolCallResult } from './types.js';

export interface ConnectionOptions {
  name: string;
  createTransport: () => Promise<Transport>;
  clientInfo: { name: string; version: string };
  handlers: ServerRequestHandlers;
  /** Idle ms per call, reset by progress. */
  idleTimeoutMs: number;
  /** Absolute ms per call. */
  maxTotalTimeoutMs: number;
  /** Connect plus first listing. */
  startupTimeoutMs: number;
  /** Restart delays: initialMs doubling up to maxMs; after maxRestarts consecutive failures the server is given up. */
  backoff: { initialMs: number; maxMs: number; maxRestarts: number };
  log: HostLog;
  /** Called when a fresh listing differs from the applied one. */
  onToolsPending: () => void;
  /** Called when a skipped (malformed) tool is found, once per listing. */
  onSkipped: (skipped: SkippedTool[]) => void;
  /** The tools it is known to list (a built-in's manifest): applied before it starts; a different live listing becomes pending. */
  known?: readonly ListedTool[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'connecting'; ready: Promise<Client> }
  | { kind: 'ready'; client: Client }
  | { kind: 'crashed'; at: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'closed' };

const callResultSchema = z.object({}).loose();

export class ServerConnection {
  private state: State = { kind: 'idle' };
  private failures = 0;
  private applied: readonly ListedTool[];
  private latest: ListedTool[] | undefined;
  private relisting: Promise<void> | undefined;
  private relistAgain = false;
  private started: boolean;

  constructor(private readonly options: ConnectionOptions) {
    this.applied = options.known ?? [];
    this.started = options.known !== undefined;
  }

  get name(): string {
    return this.options.name;
  }

  /** The tool list the model currently sees. */
  tools(): readonly ListedTool[] {
    return this.applied;
  }

  hasPendingTools(): boolean {
    return this.latest !== undefined;
  }

  /** Makes the latest listing the applied one; true when something changed. */
  applyPending(): boolean {
    if (this.latest === undefined) return false;
    const changed = JSON.stringify(this.latest) !== JSON.stringify(this.applied);
    this.applied = this.latest;
    this.latest = undefined;
    return changed;
  }

  status(): ServerStatus {
    const state = this.state;
    switch (state.kind) {
      case 'idle':
      case 'connecting':
        return { state: 'starting' };
      case 'ready':
        return { state: 'ready', tools: this.applied.length };
      case 'crashed':
        return { state: 'restarting', reason: state.reason };
      case 'failed':
        return { state: 'failed', reason: state.reason };
      case 'closed':
        return { state: 'closed' };
      default: {
        const never: never = state;
        return never;
      }
    }
  }

  /** First start: the listing becomes the applied list at once. Throws ToolServerError when the server cannot start. */
  async start(): Promise<void> {
    try {
      await this.ensureClient();
    } finally {
      this.started = true;
    }
    if (this.latest !== undefined) this.applyPending();
  }

  /** Starts the server now if it is not running, without waiting; a failure is logged (the next call retries). */
  warm(): void {
    if (this.state.kind !== 'idle') return;
    this.ensureClient().catch((error: unknown) => this.options.log({ server: this.name, kind: 'lifecycle', message: `did not start: ${oneLine(error)}` }));
  }

  /** Re-lists now (for transports where `list_changed` can be lost); the result becomes pending if it differs. */
  async refresh(): Promise<void> {
    if (this.state.kind !== 'ready') return;
    await this.relist(this.state.client);
  }

  async call(tool: string, args: Record<string, unknown>, options: ToolCallOptions = {}): Promise<ToolCallResult> {
    const { signal } = options;
    if (signal?.aborted) return cancelled();
    let client: Client;
    try {
      client = await this.ensureClient(signal);
    } catch (error) {
      if (signal?.aborted) return cancelled();
      return { isError: true, text: `The MCP server "${this.name}" is unavailable: ${oneLine(error)}` };
    }
    const started = Date.now();
    try {
      const result = await client.request(
        { method: 'tools/call', params: { name: tool, arguments: args } },
        callResultSchema,
        {
          signal,
          timeout: this.options.idleTimeoutMs,
          resetTimeoutOnProgress: true,
          maxTotalTimeout: this.options.maxTotalTimeoutMs,
          onprogress: (progress) => options.onProgress?.(progress),
        },
      );
      this.failures = 0;
      return resultToText(result);
    } catch (error) {
      if (signal?.aborted) return cancelled();
      if (error instanceof ProtocolError) {
        return { isError: true, text: `The MCP server "${this.name}" refused the call: ${oneLine(error)}` };
      }
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
        const total = Date.now() - started >= this.options.maxTotalTimeoutMs;
        const limit = total ? this.options.maxTotalTimeoutMs : this.options.idleTimeoutMs;
        const what = total ? 'in all' : 'without a response or progress';
        return {
          isError: true,
          text: `The tool "${tool}" timed out after ${seconds(limit)} ${what}; the call was cancelled. Try smaller input or another approach.`,
        };
      }
      this.markCrashed(client, oneLine(error));
      return {
        isError: true,
        text: `The MCP server "${this.name}" stopped during the call (${oneLine(error)}); its effects are unknown. It restarts for the next call.`,
      };
    }
  }

  /** Milliseconds for one ping round trip (starting the server first if needed). */
  async ping(): Promise<number> {
    const client = await this.ensureClient();
    const started = performance.now();
    await client.ping({ timeout: this.options.startupTimeoutMs });
    return performance.now() - started;
  }

  async close(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    if (state.kind === 'ready') await state.client.close().catch(() => undefined);
    if (state.kind === 'connecting') await state.ready.then((client) => client.close()).catch(() => undefined);
  }

  private async ensureClient(signal?: AbortSignal): Promise<Client> {
    const state = this.state;
    switch (state.kind) {
      case 'ready':
        return state.client;
      case 'connecting':
        return state.ready;
      case 'failed':
        throw new ToolServerError('server_failed', state.reason);
      case 'closed':
        throw new ToolServerError('server_closed', 'the tool host is closed');
      case 'crashed': {
        const delay = Math.min(this.options.backoff.initialMs * 2 ** (this.failures - 1), this.options.backoff.maxMs);
        await sleep(state.at + delay - Date.now(), signal);
        if (this.state !== state) return this.ensureClient(signal);
        this.options.log({ server: this.name, kind: 'lifecycle', message: `restarting after: ${state.reason}` });
        return this.connect();
      }
      case 'idle':
        return this.connect();
      default: {
        const never: never = state;
        return never;
      }
    }
  }

  private connect(): Promise<Client> {
    const ready = this.open().then(
      (client) => {
        if (this.state.kind === 'closed') {
          void client.close();
          throw new ToolServerError('server_closed', 'the tool host is closed');
        }
        this.state = { kind: 'ready', client };
        return client;
      },
      (error: unknown) => {
        this.failures += 1;
        const reason = oneLine(error);
        if (this.state.kind !== 'closed') {
          this.state = this.failures > this.options.backoff.maxRestarts
            ? { kind: 'failed', reason: `gave up after ${this.failures} failed starts; last: ${reason}` }
            : { kind: 'crashed', at: Date.now(), reason };
        }
        throw new ToolServerError('server_start', reason, { cause: error });
      },
    );
    this.state = { kind: 'connecting', ready };
    return ready;
  }

  private async open(): Promise<Client> {
    const client = this.newClient();
    const transport = await this.options.createTransport();
    try {
      await client.connect(transport, { timeout: this.options.startupTimeoutMs });
      const listed = await listToolsLoosely(client, { timeout: this.options.startupTimeoutMs });
      this.receiveListing(listed);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    client.onclose = () => this.markCrashed(client, 'the server closed the connection');
    return client;
  }

  private newClient(): Client {
    const { handlers } = this.options;
    const client = new Client(this.options.clientInfo, {
      capabilities: {
        ...(handlers.elicit ? { elicitation: { form: {} } } : {}),
        ...(handlers.sample ? { sampling: {} } : {}),
      },
    });
    client.onerror = (error) => this.options.log({ server: this.name, kind: 'error', message: oneLine(error) });
    client.fallbackRequestHandler = async (request) => {
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `endure does not support "${request.method}" requests from MCP servers`);
    };
    client.fallbackNotificationHandler = async () => undefined;
    client.setNotificationHandler('notifications/message', (notification) => {
      const { level, data, logger } = notification.params;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      this.options.log({ server: this.name, kind: 'notice', message: `${level}${logger ? ` ${logger}` : ''}: ${text}` });
    });
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      void this.relist(client);
    });
    if (handlers.elicit) installElicitation(client, this.name, handlers.elicit);
    if (handlers.sample) installSampling(client, this.name, handlers.sample);
    return client;
  }

  private relist(client: Client): Promise<void> {
    if (this.relisting) {
      this.relistAgain = true;
      return this.relisting;
    }
    this.relisting = (async () => {
      do {
        this.relistAgain = false;
        try {
          this.receiveListing(await listToolsLoosely(client, { timeout: this.options.startupTimeoutMs }));
        } catch (error) {
          this.options.log({ server: this.name, kind: 'error', message: `tools/list failed: ${oneLine(error)}` });
        }
      } while (this.relistAgain && this.state.kind === 'ready');
    })().finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  private receiveListing(listed: { tools: ListedTool[]; skipped: SkippedTool[] }): void {
    if (listed.skipped.length > 0) this.options.onSkipped(listed.skipped);
    const differs = JSON.stringify(listed.tools) !== JSON.stringify(this.applied);
    this.latest = differs || this.latest !== undefined ? listed.tools : undefined;
    if (differs && this.started) this.options.onToolsPending();
  }

  private markCrashed(client: Client, reason: string): void {
    if (this.state.kind !== 'ready' || this.state.client !== client) return;
    this.failures += 1;
    this.state = { kind: 'crashed', at: Date.now(), reason };
    this.options.log({ server: this.name, kind: 'lifecycle', message: `connection lost: ${reason}` });
    client.onclose = undefined;
    void client.close().catch(() => undefined);
  }
}

function installElicitation(client: Client, server: string, elicit: NonNullable<ServerRequestHandlers['elicit']>): void {
  client.setRequestHandler('elicitation/create', async (request, context) => {
    const params = request.params as Record<string, unknown>;
    const answer = await elicit(
      {
        server,
        message: String(params.message ?? ''),
        ...(typeof params.requestedSchema === 'object' && params.requestedSchema !== null
          ? { requestedSchema: params.requestedSchema as Record<string, unknown> }
          : {}),
        ...(typeof params.url === 'string' ? { url: params.url } : {}),
      },
      context.mcpReq.signal,
    );
    return answer as never;
  });
}

function installSampling(client: Client, server: string, sample: NonNullable<ServerRequestHandlers['sample']>): void {
  client.setRequestHandler('sampling/createMessage', async (request, context) => {
    const answer = await sample({ server, params: request.params as Record<string, unknown> }, context.mcpReq.signal);
    return { model: answer.model, role: 'assistant', content: { type: 'text', text: answer.text } } as never;
  });
}

function cancelled(): ToolCallResult {
  return { isError: true, text: 'The call was cancelled.' };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
