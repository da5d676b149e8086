/** Every failure of the endpoint ends in a typed ModelError, retried only while nothing was yielded. */
import { describe, expect } from 'vitest';
import { createModelClient } from '../../src/model/client.js';
import { DIALECT_NAMES, startScriptedServer, type Step } from '../support/scripted-server.js';
import { collect, request, test } from './fixtures.js';

describe.each(DIALECT_NAMES)('%s errors', (dialect) => {
  test('its context-overflow error becomes context_overflow with the window', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ type: 'overflow', promptTokens: 13392, contextWindow: 8192 });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('context_overflow');
    expect(result.error?.details.contextWindow).toBe(8192);
    expect(result.error?.retryable).toBe(false);
    expect(result.error?.message).toMatch(/context window of 8192 tokens.*; compact the conversation/);
    expect(server.requestCount).toBe(1);
  });

  test('an error event inside the stream after output is a retryable stream_error', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ type: 'stream_error', afterChunks: 3, message: 'Failed to parse input at pos 12', turn: { content: 'Partial answer here.' } });
    const result = await collect(client.stream(request()));
    expect(result.content.length).toBeGreaterThan(0);
    expect(result.error?.code).toBe('stream_error');
    expect(result.error?.retryable).toBe(true);
    expect(result.error?.message).toContain('Failed to parse input at pos 12');
    expect(server.requestCount).toBe(1);
  });

  test('an error event before any output goes to the caller, which retries the turn (it is about the model output, not the endpoint)', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ type: 'stream_error', afterChunks: 0 }, { content: 'Recovered.' });
    const result = await collect(client.stream(request()));
    expect(result.error).toMatchObject({ code: 'stream_error', retryable: true });
    expect(result.error!.message).toMatch(/mid-stream/);
    expect(result.retries).toHaveLength(0);
    expect(server.requestCount).toBe(1);
  });
});

describe('HTTP errors', () => {
  test('429 with Retry-After waits as asked, then succeeds', async ({ harness }) => {
    const { server, client } = await harness.pair('openrouter');
    server.enqueue({ type: 'http_error', status: 429, retryAfter: 1 }, { content: 'ok' });
    const result = await collect(client.stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.content).toBe('ok');
    expect(result.retries).toEqual([{ type: 'retry', attempt: 1, delayMs: 1000, reason: expect.stringMatching(/rate limiting.*429: Rate limit exceeded/) }]);
  });

  test('a Retry-After beyond the retry budget fails at once as rate_limit', async ({ harness }) => {
    const { server, client } = await harness.pair('dashscope', { retryBudgetMs: 10_000 });
    server.enqueue({ type: 'http_error', status: 429, retryAfter: 120, message: 'Request rate increased too quickly.' });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('rate_limit');
    expect(result.error?.details.retryAfterMs).toBe(120_000);
    expect(result.error?.message).toMatch(/asked to wait 120 s/);
    expect(result.retries).toHaveLength(0);
  });

  test('500 and 503 are retried with backoff, then the answer streams', async ({ harness }) => {
    const { server, client } = await harness.pair('llama');
    server.enqueue({ type: 'http_error', status: 500 }, { type: 'http_error', status: 503, message: 'Loading model' }, { content: 'fine' });
    const result = await collect(client.stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.content).toBe('fine');
    expect(result.retries.map((retry) => retry.attempt)).toEqual([1, 2]);
    expect(result.retries[1]!.delayMs).toBe(2 * result.retries[0]!.delayMs);
    expect(result.retries[1]!.reason).toContain('503: Loading model');
    expect(server.requestCount).toBe(3);
  });

  test('an exhausted retry budget ends in one unavailable error naming the base URL', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm', { retryBudgetMs: 60, retryBaseDelayMs: 20 });
    server.respondWith((): Step => ({ type: 'http_error', status: 502, message: 'upstream down' }));
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('unavailable');
    expect(result.error?.retryable).toBe(false);
    expect(result.error?.message).toContain(server.url);
    expect(result.error?.message).toMatch(/502: upstream down.*gave up after \d+ attempts/);
    expect(result.error?.message).not.toContain('\n');
    expect(result.retries.length).toBeGreaterThanOrEqual(1);
  });

  test('401 names the environment variable to set', async ({ harness }) => {
    const { server, client } = await harness.pair('dashscope', { apiKey: 'sk-wrong', apiKeyVariable: 'DASHSCOPE_API_KEY' });
    server.enqueue({ type: 'http_error', status: 401, message: 'Incorrect API key provided.' });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('auth');
    expect(result.error?.message).toMatch(/Incorrect API key provided\..*set DASHSCOPE_API_KEY/);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-wrong');
  });

  test('401 without a key says to set ENDURE_API_KEY', async ({ harness }) => {
    const { server, client } = await harness.pair('openrouter');
    server.enqueue({ type: 'http_error', status: 401, message: 'No auth credentials found' });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('auth');
    expect(result.error?.message).toMatch(/set ENDURE_API_KEY/);
  });

  test('400 stops with the server\'s own message, not retried', async ({ harness }) => {
    const { server, client } = await harness.pair('sglang');
    server.enqueue({ type: 'http_error', status: 400, message: 'Tool choice "required" is not supported' });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('bad_request');
    expect(result.error?.details.status).toBe(400);
    expect(result.error?.message).toContain('Tool choice "required" is not supported');
    expect(server.requestCount).toBe(1);
  });
});

describe('broken streams', () => {
  test('a reset after output is a retryable unavailable error for the caller', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm');
    let release!: () => void;
    server.enqueue({ type: 'reset', afterChunks: 3, turn: { content: 'This answer will be cut.' }, when: new Promise<void>((resolve) => (release = resolve)) });
    const events: string[] = [];
    let caught: unknown;
    try {
      for await (const event of client.stream(request())) {
        events.push(event.type);
        if (event.type === 'content') release();
      }
    } catch (error) {
      caught = error;
    }
    expect(events[0]).toBe('content');
    expect(caught).toMatchObject({ code: 'unavailable', retryable: true });
    expect((caught as Error).message).toContain(server.url);
    expect(server.requestCount).toBe(1);
  });

  test('a reset before output is retried transparently', async ({ harness }) => {
    const { server, client } = await harness.pair('sglang');
    server.enqueue({ type: 'reset', afterChunks: 0 }, { content: 'second try' });
    const result = await collect(client.stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.content).toBe('second try');
    expect(result.retries).toHaveLength(1);
  });

  test('a stream without a finish reason is incomplete_stream, not an empty answer', async ({ harness }) => {
    const { server, client } = await harness.pair('llama');
    server.enqueue({ type: 'no_finish', turn: { content: 'half' } });
    const result = await collect(client.stream(request()));
    expect(result.content).toBe('half');
    expect(result.finish).toBeUndefined();
    expect(result.error?.code).toBe('incomplete_stream');
    expect(result.error?.retryable).toBe(true);
  });

  test('an empty stream without a finish reason is retried', async ({ harness }) => {
    const { server, client } = await harness.pair('ollama');
    server.enqueue({ type: 'no_finish', turn: {} }, { content: 'there' });
    const result = await collect(client.stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.content).toBe('there');
    expect(result.retries[0]!.reason).toMatch(/ended without a finish reason/);
  });

  test('a connection refused on a dead port fails naming the base URL', async () => {
    const dead = await startScriptedServer();
    await dead.close();
    const client = await createModelClient({ baseURL: dead.url, server: 'vllm', model: 'm', thinking: false, retryBudgetMs: 40, retryBaseDelayMs: 10 });
    const result = await collect(client.stream(request()));
    expect(result.error?.code).toBe('unavailable');
    expect(result.error?.message).toContain(`cannot reach the model server at ${dead.url} (ECONNREFUSED)`);
    expect(result.error?.message).toMatch(/start the server or fix --base-url/);
    expect(result.retries.length).toBeGreaterThanOrEqual(1);
  });
});

describe('endpoint probing', () => {
  test('creating a client without --model on a dead port fails after the retry budget, naming the URL', async () => {
    const dead = await startScriptedServer();
    await dead.close();
    const failure = await createModelClient({ baseURL: dead.url, server: 'auto', thinking: true, retryBudgetMs: 30, retryBaseDelayMs: 10 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'unavailable', retryable: false });
    expect((failure as Error).message).toMatch(new RegExp(`cannot reach the model server at ${dead.url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\).*gave up after`));
  });

  test('with --model and --server given, a dead endpoint does not stop creation', async () => {
    const dead = await startScriptedServer();
    await dead.close();
    const client = await createModelClient({ baseURL: dead.url, server: 'llama', model: 'qwen3-8b', thinking: true });
    expect(client.endpoint).toEqual({ baseURL: dead.url, server: 'llama', model: 'qwen3-8b' });
  });
});

describe('abort', () => {
  test('aborting a request that hangs before any byte ends with aborted', async ({ harness }) => {
    const { server, client } = await harness.pair('llama');
    const controller = new AbortController();
    server.respondWith(() => {
      controller.abort();
      return { type: 'hang' };
    });
    const result = await collect(client.stream(request({ signal: controller.signal })));
    expect(result.error?.code).toBe('aborted');
  });

  test('aborting mid-stream ends with aborted, not a finish', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm');
    const controller = new AbortController();
    server.enqueue({ type: 'hang', afterChunks: 3, turn: { content: 'streaming forever and ever' } });
    const events: string[] = [];
    let caught: unknown;
    try {
      for await (const event of client.stream(request({ signal: controller.signal }))) {
        events.push(event.type);
        controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(events).toEqual(['content']);
    expect(caught).toMatchObject({ code: 'aborted' });
  });

  test('closing the server ends a hanging stream with a typed error', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm', { retryBudgetMs: 20, retryBaseDelayMs: 10 });
    server.enqueue({ type: 'hang', afterChunks: 2, turn: { content: 'waiting for ever' } });
    const events: string[] = [];
    let caught: unknown;
    try {
      for await (const event of client.stream(request())) {
        events.push(event.type);
        if (event.type === 'content') void server.close();
      }
    } catch (error) {
      caught = error;
    }
    expect(events[0]).toBe('content');
    expect(caught).toMatchObject({ code: 'unavailable', retryable: true });
  });

  test('aborting during a retry wait ends with aborted at once', async ({ harness }) => {
    const { server, client } = await harness.pair('llama', { retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000, retryBudgetMs: 120_000 });
    server.enqueue({ type: 'http_error', status: 503 });
    const controller = new AbortController();
    let caught: unknown;
    try {
      for await (const event of client.stream(request({ signal: controller.signal }))) {
        if (event.type === 'retry') controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'aborted' });
  });
});
