/**
 * A scripted OpenAI-compatible server for tests and benchmarks: the only fake in
 * endure's test suite, and it speaks real HTTP and SSE on 127.0.0.1 (random port)
 * in the exact dialect of a chosen Qwen server (llama-server, vLLM, SGLang,
 * Ollama, DashScope, OpenRouter; see shared/reference/qwen-wire.md section 5).
 *
 *   const server = await startScriptedServer({ dialect: 'vllm', contextWindow: 32768 });
 *   server.enqueue(
 *     { reasoning: 'The user greets me.', content: 'Hello!' },
 *     { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] },
 *     { type: 'http_error', status: 429, retryAfter: 1 },
 *     { type: 'reset', afterChunks: 3, turn: { content: 'cut short' } },
 *   );
 *   // ... point a client at server.url (ends in /v1) ...
 *   server.requests.at(-1)?.body.messages;   // what the client sent
 *   await server.close();                    // also ends hanging responses
 *
 * Each POST /v1/chat/completions takes the next queued step; when the queue is
 * empty, the `respondWith` function (if set) decides; otherwise the request gets a
 * 400 that says no step was queued. GET /v1/models answers in the dialect's shape
 * (vLLM and SGLang with `max_model_len`), GET /props for llama. Steps and their
 * options are documented in scripted-steps.ts.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DIALECTS } from './dialects/registry.js';
import { randomAlnum, type Dialect, type DialectName, type StreamContext } from './dialects/types.js';
import { planTurn, type BehaviourStep, type Step, type TurnStep } from './scripted-steps.js';
import { LlamaKv, type Admission, type LlamaKvOptions } from './llama-kv.js';

export type { Step, TurnStep, BehaviourStep, ScriptedToolCall } from './scripted-steps.js';
export type { DialectName } from './dialects/types.js';
export type { LlamaKvOptions, ChatTemplate } from './llama-kv.js';

/** llama-server's message when the model's output does not parse (a mid-stream error after a 200). */
export const PEG_FORMAT_ERROR = 'The model produced output that does not match the expected peg-native format';
export { DIALECT_NAMES } from './dialects/registry.js';

export interface ScriptedServerOptions {
  /** @default 'llama' */
  dialect?: DialectName;
  /** The model id the server lists and answers as. @default 'qwen3.6-27b' */
  model?: string;
  /** Reported by /v1/models (`max_model_len`) and /props (`n_ctx`), and used in overflow errors. @default 32768 */
  contextWindow?: number;
  /** How many received requests `requests` keeps (oldest dropped first). @default 100 */
  keepRequests?: number;
  /**
   * llama dialect: play llama-server's prompt cache and slots (llama-kv.ts):
   * usage and `timings` count the longest common prefix with the chosen slot,
   * prompts over the window get `exceed_context_size_error`, `/slots` works.
   */
  llama?: LlamaKvOptions;
  /** Listen on this port (a restarted server on the same address). @default a free port */
  port?: number;
}

/** One chat-completions request as the server received it. */
export interface ReceivedRequest {
  /** 1-based, counting every chat request since the start. */
  index: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as sent (byte-stable rendering is checked on this). */
  raw: string;
  /** The parsed JSON body (loosely typed: tests read whatever the client sent). */
  body: any;
  /** Time the server spent on this response, once it ended. */
  serverMs?: number;
}

export interface ScriptedServer {
  /** Base URL ending in /v1. */
  readonly url: string;
  readonly dialect: DialectName;
  readonly model: string;
  enqueue(...steps: Step[]): void;
  /** Decide the step for requests that find the queue empty (return a Promise to wait). */
  respondWith(decide: ((request: ReceivedRequest) => Step | Promise<Step>) | undefined): void;
  /** The last `keepRequests` chat requests, oldest first. */
  readonly requests: readonly ReceivedRequest[];
  /** Chat requests received since the start. */
  readonly requestCount: number;
  /** Queued steps not yet used. */
  readonly queued: number;
  /** Total time spent producing responses (for benchmarks: wall time minus this is the client's). */
  readonly streamingMs: number;
  /** The prompt cache and slots, with the `llama` option. */
  readonly kv: LlamaKv | undefined;
  /** Requests to /slots, oldest first (path with query, body). */
  readonly slotRequests: readonly { method: string; path: string; body: any; status: number; index: number }[];
  /** A restart: open connections end and the slots' caches are emptied; saved slot files stay. */
  restart(): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function streamContext(dialect: Dialect, model: string): StreamContext {
  const id =
    dialect.name === 'openrouter' ? `gen-${Math.floor(Date.now() / 1000)}-${randomAlnum(6)}` : dialect.name === 'llama' ? `chatcmpl-${randomAlnum(8)}` : `chatcmpl-${randomAlnum(12)}`;
  return { id, created: Math.floor(Date.now() / 1000), model };
}

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const dialect = DIALECTS[options.dialect ?? 'llama'];
  const model = options.model ?? 'qwen3.6-27b';
  const contextWindow = options.contextWindow ?? 32_768;
  const keep = options.keepRequests ?? 100;
  const queue: Step[] = [];
  const requests: ReceivedRequest[] = [];
  const open = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let decide: ((request: ReceivedRequest) => Step | Promise<Step>) | undefined;
  let requestCount = 0;
  let streamingMs = 0;
  let closed = false;
  const kv = options.llama && dialect.name === 'llama' ? new LlamaKv(options.llama) : undefined;
  const slotRequests: { method: string; path: string; body: any; status: number; index: number }[] = [];

  function writeEvents(response: ServerResponse, events: string[], delayMs: number): Promise<void> {
    if (delayMs <= 0) {
      response.write(events.join(''));
      return Promise.resolve();
    }
    return (async () => {
      for (const event of events) {
        if (response.destroyed) return;
        response.write(event);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    })();
  }

  function startStream(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }

  function holdOpen(response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      response.on('close', () => resolve());
    });
  }

  /** A turn planned for this request; with the prompt cache, its usage counts what the slot held. */
  function plan(step: TurnStep, received: ReceivedRequest, admission: Admission | undefined) {
    const turn = planTurn(step, received.raw.length);
    if (admission) turn.usage = { ...turn.usage, prompt: admission.promptTokens, cached: admission.cached };
    return turn;
  }

  async function playTurn(response: ServerResponse, step: TurnStep, received: ReceivedRequest, stream: boolean, admission?: Admission): Promise<void> {
    const turn = plan(step, received, admission);
    const context = streamContext(dialect, model);
    admission?.complete(turn);
    if (!stream) return sendJson(response, 200, dialect.completion(turn, context));
    startStream(response);
    await writeEvents(response, dialect.stream(turn, context), step.chunkDelayMs ?? 0);
    response.end();
  }

  async function playBehaviour(response: ServerResponse, step: BehaviourStep, received: ReceivedRequest, admission?: Admission): Promise<void> {
    const context = streamContext(dialect, model);
    admission?.complete(undefined);
    const eventsOf = (turn: TurnStep | undefined, noFinish = false) => {
      const planned = plan(turn ?? { content: 'Partial answer.' }, received, admission);
      if (noFinish) planned.finish = null;
      return dialect.stream(planned, context);
    };
    const countData = (events: string[], n: number) => {
      const out: string[] = [];
      let data = 0;
      for (const event of events) {
        if (event.startsWith('data:')) {
          if (data === n) break;
          data += 1;
        }
        out.push(event);
      }
      return out;
    };
    switch (step.type) {
      case 'http_error': {
        const headers: Record<string, string> = { ...step.headers };
        if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
        const body = step.body ?? dialect.errorBody(step.status, step.message ?? defaultMessage(step.status));
        return sendJson(response, step.status, body, headers);
      }
      case 'overflow': {
        const window = step.contextWindow ?? contextWindow;
        const error = dialect.overflow(step.promptTokens ?? window + 1000, window);
        return sendJson(response, error.status, error.body);
      }
      case 'hang': {
        if (step.afterChunks !== undefined) {
          startStream(response);
          await writeEvents(response, countData(eventsOf(step.turn), step.afterChunks), 0);
        }
        return holdOpen(response);
      }
      case 'reset': {
        startStream(response);
        const events = countData(eventsOf(step.turn), step.afterChunks);
        await writeEvents(response, events, 0);
        if (step.when) await step.when.catch(() => undefined);
        else await new Promise<void>((resolve) => response.write('', () => resolve()));
        response.socket?.destroy();
        return;
      }
      case 'stream_error': {
        startStream(response);
        const events = countData(eventsOf(step.turn), step.afterChunks ?? 2);
        await writeEvents(response, [...events, ...dialect.streamError(step.message ?? 'Failed to parse input at pos 12: </tool_call>', context)], 0);
        response.end();
        return;
      }
      case 'no_finish': {
        startStream(response);
        await writeEvents(response, eventsOf(step.turn, true), 0);
        response.end();
        return;
      }
      default: {
        const exhaustive: never = step;
        throw new Error(`unknown scripted step ${JSON.stringify(exhaustive)}`);
      }
    }
  }

  async function chat(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(request);
    const started = performance.now();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(response, 400, dialect.errorBody(400, 'request body is not valid JSON'));
    }
    requestCount += 1;
    const received: ReceivedRequest = { index: requestCount, path, headers: request.headers, raw, body };
    requests.push(received);
    if (requests.length > keep) requests.splice(0, requests.length - keep);
    const step = queue.shift() ?? (decide ? await decide(received) : undefined);
    try {
      if (!step) {
        return sendJson(response, 400, dialect.errorBody(400, `scripted server: no step queued for request #${received.index}`));
      }
      const stream = (body as { stream?: unknown }).stream === true;
      let admission: Admission | undefined;
      if (kv && !(step.type === 'overflow' || step.type === 'http_error')) {
        const admitted = kv.admit(body as Record<string, unknown>, contextWindow);
        if ('overflow' in admitted) {
          const error = dialect.overflow(admitted.overflow, contextWindow);
          return sendJson(response, error.status, error.body);
        }
        admission = admitted;
      }
      if (isTurn(step)) await playTurn(response, step, received, stream, admission);
      else await playBehaviour(response, step, received, admission);
    } finally {
      const spent = performance.now() - started;
      received.serverMs = spent;
      streamingMs += spent;
    }
  }

  const server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    const path = (request.url ?? '/').split('?')[0]!;
    const route = path.replace(/\/+$/, '');
    const handle = async () => {
      if (request.method === 'POST' && (route === '/v1/chat/completions' || route === '/chat/completions')) return chat(request, response, route);
      if (request.method === 'GET' && (route === '/v1/models' || route === '/models')) return sendJson(response, 200, dialect.models(model, contextWindow));
      if (request.method === 'GET' && route === '/props' && dialect.props) {
        const props = dialect.props(model, contextWindow) as Record<string, unknown>;
        return sendJson(response, 200, kv ? { ...props, total_slots: kv.totalSlots, chat_template_caps: { ...(props['chat_template_caps'] as object), supports_preserve_reasoning: kv.template === 'qwen3.6' } } : props);
      }
      if (kv && request.method === 'GET' && route === '/slots') return sendJson(response, 200, kv.list(contextWindow));
      if (kv && request.method === 'POST' && route.startsWith('/slots/')) {
        const raw = await readBody(request);
        let body: Record<string, unknown> = {};
        try {
          body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          return sendJson(response, 400, dialect.errorBody(400, 'request body is not valid JSON'));
        }
        const action = new URL(request.url ?? '/', 'http://localhost').searchParams.get('action');
        const reply = kv.action(route.slice('/slots/'.length), action, body);
        slotRequests.push({ method: 'POST', path: (request.url ?? '/'), body, status: reply.status, index: requestCount });
        return sendJson(response, reply.status, reply.body);
      }
      request.resume();
      return sendJson(response, 404, dialect.errorBody(404, `File Not Found: ${path}`));
    };
    handle().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, dialect.errorBody(500, `scripted server failed: ${String(error)}`));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    dialect: dialect.name,
    model,
    enqueue: (...steps) => void queue.push(...steps),
    respondWith: (fn) => void (decide = fn),
    get requests() {
      return requests;
    },
    get requestCount() {
      return requestCount;
    },
    get queued() {
      return queue.length;
    },
    get streamingMs() {
      return streamingMs;
    },
    kv,
    slotRequests,
    restart: () => {
      for (const response of open) response.destroy();
      for (const socket of sockets) socket.destroy();
      kv?.restart();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const response of open) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Invalid request';
    case 401:
      return 'Invalid API key';
    case 404:
      return 'Model not found';
    case 429:
      return 'Rate limit exceeded';
    case 503:
      return 'Loading model';
    default:
      return 'Internal server error';
  }
}

function isTurn(step: Step): step is TurnStep {
  return step.type === undefined || step.type === 'turn';
}
