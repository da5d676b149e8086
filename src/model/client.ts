/**
 * The model client: one streamed chat-completions request per `stream()` call,
 * over the `openai` SDK, with the server's dialect chosen once at creation
 * (detected or given). It retries a failing endpoint transparently only until
 * the first event of the response was yielded; after that a failure ends the
 * stream with a retryable ModelError and the caller retries the turn. An error
 * the server reports inside a 200 stream always goes to the caller.
 */
import OpenAI, { APIError } from 'openai';
import { ModelError, oneLine } from '../shared/errors.js';
import type { EndpointInfo, ModelClient, ModelEvent, ModelRequest, ServerKind } from './types.js';
import { createHttpFetch, responseBody } from './http-fetch.js';
import { detectServer, fetchJson, firstModel, reportedContextWindow, serverRoot, type EndpointProbe } from './detect.js';
import { toModelError, type ErrorContext } from './errors.js';
import { renderMessages } from './render.js';
import { buildRequestBody, fixedBodyPart, serializeRequestBody } from './request-body.js';
import { RetryPolicy, sleep } from './retry.js';
import { modelFamily, promptOpensThink, recommendedSampling, type SamplingSettings } from './sampling.js';
import { SseDecoder, type SseEvent } from './sse-decoder.js';
import { StreamAssembler } from './stream-assembler.js';

export interface ModelClientOptions {
  /** The OpenAI-compatible base URL, usually ending in `/v1`. */
  baseURL: string;
  /** Sent as `Authorization: Bearer`; local servers usually need none. */
  apiKey?: string;
  /** The environment variable the key came from, so an auth error can say which one to set. @default 'ENDURE_API_KEY' in messages */
  apiKeyVariable?: string;
  /** @default the first model of GET /v1/models */
  model?: string;
  /** The server's dialect; `auto` detects it from the URL, /v1/models and /props. */
  server: ServerKind | 'auto';
  /** Ask the model to think (each server's own switch). */
  thinking: boolean;
  /** Overrides of the model family's recommended sampling. `max_tokens` is sent only when set here or per request. */
  sampling?: Partial<SamplingSettings>;
  /** Extra top-level body keys, merged last. */
  extraBody?: Record<string, unknown>;
  /**
   * Send every past turn's reasoning back (Qwen3.6 `preserve_thinking`). @default on for
   * Qwen3.5/3.6 when llama-server's template says it supports it
   * (`chat_template_caps.supports_preserve_reasoning`), else off
   */
  preserveThinking?: boolean;
  /** DashScope: cap on reasoning tokens (`thinking_budget`). */
  thinkingBudget?: number;
  /** Total time to keep retrying a failing endpoint, from the first failure. @default 60000 */
  retryBudgetMs?: number;
  /** First retry delay, doubled per attempt. @default 500 */
  retryBaseDelayMs?: number;
  /** Longest single retry delay. @default 8000 */
  retryMaxDelayMs?: number;
  /** @default globalThis.fetch for probes, node:http for chat requests (http-fetch.ts) */
  fetch?: typeof fetch;
  /** Told when a chat request's response has been read: work deferred past the first request starts then. */
  onResponse?: () => void;
  /** Cancels endpoint probing during creation. */
  signal?: AbortSignal;
}

async function probe(options: ModelClientOptions, context: ErrorContext, fetchImpl: typeof fetch): Promise<EndpointProbe> {
  const required = options.model === undefined;
  const get = (url: string) =>
    fetchJson(url, {
      ...context,
      fetch: fetchImpl,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  const result: EndpointProbe = {};
  const retry = new RetryPolicy({
    ...(options.retryBudgetMs === undefined ? {} : { budgetMs: options.retryBudgetMs }),
    ...(options.retryBaseDelayMs === undefined ? {} : { baseDelayMs: options.retryBaseDelayMs }),
  });
  for (;;) {
    try {
      result.models = await get(`${options.baseURL.replace(/\/+$/, '')}/models`);
      break;
    } catch (error) {
      const failure = toModelError(error, context, options.signal);
      if (!required) break;
      const decision = retry.next(failure);
      if (!decision.retry) throw decision.error;
      await sleep(decision.delayMs, options.signal);
    }
  }
  const known = options.server === 'auto' ? detectServer(options.baseURL, result) : options.server;
  if (known === undefined || known === 'llama') {
    result.props = await get(`${serverRoot(options.baseURL)}/props`).catch(() => undefined);
  }
  return result;
}

function templatePreservesReasoning(props: unknown): boolean {
  const caps = (props as { chat_template_caps?: { supports_preserve_reasoning?: unknown } } | undefined)?.chat_template_caps;
  return caps?.supports_preserve_reasoning === true;
}

/** Create a client for one endpoint: detects the server and model when not given. */
export async function createModelClient(options: ModelClientOptions): Promise<ModelClient> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const context: ErrorContext = {
    baseURL: options.baseURL,
    ...(options.apiKeyVariable ? { apiKeyVariable: options.apiKeyVariable } : {}),
  };
  const needsProbe = options.model === undefined || options.server === 'auto' || options.server === 'llama' || options.server === 'vllm' || options.server === 'sglang';
  const found = needsProbe ? await probe(options, context, fetchImpl) : {};
  const server = options.server === 'auto' ? (detectServer(options.baseURL, found) ?? 'llama') : options.server;
  const model = options.model ?? firstModel(found.models);
  if (!model) {
    throw new ModelError('bad_request', `the model server at ${options.baseURL} lists no models; pass --model NAME`, {});
  }
  const contextWindow = reportedContextWindow(found, model);
  // Qwen3's template drops earlier reasoning after each new user message, so a follow-up
  // re-prefills the conversation from the previous task's first answer; Qwen3.6's template
  // keeps it with preserve_thinking, and then the whole prefix stays cached.
  const preserveThinking = options.preserveThinking ?? (templatePreservesReasoning(found.props) && ['qwen3.5', 'qwen3.6'].includes(modelFamily(model)));
  options = { ...options, preserveThinking };
  const endpoint: EndpointInfo = {
    baseURL: options.baseURL,
    server,
    model,
    ...(contextWindow === undefined ? {} : { contextWindow }),
  };
  return new QwenModelClient(endpoint, options, fetchImpl, { ...context, model });
}

class QwenModelClient implements ModelClient {
  private readonly openai: OpenAI;
  private readonly fixedBody: Record<string, unknown>;
  private readonly defaultMaxTokens: number | undefined;
  private readonly expectClosingThink: boolean;

  constructor(
    readonly endpoint: EndpointInfo,
    private readonly options: ModelClientOptions,
    fetchImpl: typeof fetch,
    private readonly context: ErrorContext,
  ) {
    this.openai = new OpenAI({
      baseURL: endpoint.baseURL,
      apiKey: options.apiKey ?? 'no-key',
      maxRetries: 0,
      fetch: options.fetch ?? createHttpFetch(fetchImpl),
    });
    const family = modelFamily(endpoint.model);
    const sampling: SamplingSettings = { ...recommendedSampling(family, options.thinking), ...options.sampling };
    this.defaultMaxTokens = sampling.max_tokens;
    this.fixedBody = fixedBodyPart({
      server: endpoint.server,
      model: endpoint.model,
      thinking: options.thinking,
      sampling,
      ...(options.preserveThinking ? { preserveThinking: true } : {}),
      ...(options.thinkingBudget !== undefined ? { thinkingBudget: options.thinkingBudget } : {}),
      ...(options.extraBody ? { extraBody: options.extraBody } : {}),
    });
    this.expectClosingThink = promptOpensThink(family, options.thinking);
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    const retry = new RetryPolicy({
      ...(this.options.retryBudgetMs === undefined ? {} : { budgetMs: this.options.retryBudgetMs }),
      ...(this.options.retryBaseDelayMs === undefined ? {} : { baseDelayMs: this.options.retryBaseDelayMs }),
      ...(this.options.retryMaxDelayMs === undefined ? {} : { maxDelayMs: this.options.retryMaxDelayMs }),
    });
    for (;;) {
      let yielded = false;
      try {
        batches: for await (const batch of this.attempt(request)) {
          for (const event of batch) {
            if (request.signal?.aborted) break batches;
            yielded = true;
            yield event;
          }
        }
        if (request.signal?.aborted) throw toModelError(request.signal.reason, this.context, request.signal);
        return;
      } catch (error) {
        const failure = toModelError(error, this.context, request.signal);
        // An error inside a stream is about the model's output, not the endpoint: the loop retries the turn (cooler).
        if (yielded || failure.code === 'aborted' || failure.code === 'stream_error') throw failure;
        const decision = retry.next(failure);
        if (!decision.retry) throw decision.error;
        yield { type: 'retry', attempt: decision.attempt, delayMs: decision.delayMs, reason: oneLine(failure.message) };
        await sleep(decision.delayMs, request.signal);
      }
    }
  }

  /** One HTTP request; yields the events of each network read as a batch. */
  private async *attempt(request: ModelRequest): AsyncGenerator<ModelEvent[]> {
    const messages = renderMessages(request.messages, this.endpoint.server, {
      ...(this.options.preserveThinking ? { preserveThinking: true } : {}),
    });
    const body = serializeRequestBody(buildRequestBody(request, messages, this.endpoint.model, this.fixedBody, this.defaultMaxTokens));
    // The body goes as the string built here (the SDK passes a string with a content type verbatim), not re-encoded each turn.
    const response = await this.openai
      .post('/chat/completions', { body, headers: { 'content-type': 'application/json' }, stream: true, ...(request.signal ? { signal: request.signal } : {}) })
      .asResponse();
    const assembler = new StreamAssembler({
      tools: request.tools,
      expectClosingThink: this.expectClosingThink,
      baseURL: this.endpoint.baseURL,
    });
    try {
      yield* readChunks(response, assembler);
    } catch (error) {
      if (!assembler.finished || request.signal?.aborted) throw error;
    }
    // After the stream, not at its start: what the hook loads blocks the thread, and
    // a live stream read late loses its timing (how long the model thought).
    this.options.onResponse?.();
    if (request.signal?.aborted) throw toModelError(request.signal.reason, this.context, request.signal);
    assembler.complete();
    yield assembler.events.splice(0);
  }
}

/**
 * Feed the response's SSE chunks to the assembler; yields the events each network
 * read produced. `data: {"error": ...}` throws the SDK's APIError, as its own
 * iterator would, so errors map in one place. After `[DONE]` the rest of the body
 * is drained, not cancelled: servers end the response there, and a cancel costs
 * an abort and the kept-alive connection.
 */
async function* readChunks(response: Response, assembler: StreamAssembler): AsyncGenerator<ModelEvent[]> {
  const body = responseBody(response);
  if (!body) return;
  const text = new TextDecoder();
  const sse = new SseDecoder();
  let done = false;
  const handle = (event: SseEvent): boolean => {
    if (done || event.data === '[DONE]') return (done = true);
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      throw new SyntaxError(`malformed server-sent event: ${event.data.slice(0, 80)}`);
    }
    const error = (chunk as { error?: unknown } | null)?.error;
    if (event.event === 'error' || error) throw new APIError(undefined, (error ?? chunk) as object, undefined, response.headers);
    assembler.push(chunk);
    return false;
  };
  const feed = (events: SseEvent[]): boolean => {
    for (const event of events) if (handle(event)) return true;
    return false;
  };
  let failure: unknown;
  try {
    for await (const bytes of body) {
      if (done) continue;
      feed(sse.push(text.decode(bytes, { stream: true })));
      if (assembler.events.length > 0) yield assembler.events.splice(0);
    }
    if (!done && !feed(sse.push(text.decode()))) feed(sse.end());
  } catch (error) {
    failure = error;
  }
  if (assembler.events.length > 0) yield assembler.events.splice(0);
  if (failure !== undefined) throw failure;
}
