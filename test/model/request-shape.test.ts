/**
 * What the client sends: detection of the server, the thinking switch and sampling
 * keys of each preset, and history in the form each server reads, byte-stable.
 */
import { describe, expect } from 'vitest';
import { createModelClient } from '../../src/model/client.js';
import { detectServer } from '../../src/model/detect.js';
import { renderMessages } from '../../src/model/render.js';
import { buildRequestBody, serializeRequestBody } from '../../src/model/request-body.js';
import type { ChatMessage } from '../../src/model/types.js';
import { collect, request, test, WEATHER_TOOL } from './fixtures.js';

describe('auto detection', () => {
  const cases = [
    ['llama', 16384],
    ['vllm', 40960],
    ['sglang', 40960],
    ['ollama', undefined],
  ] as const;
  for (const [dialect, window] of cases) {
    test(`${dialect} is detected from /v1/models or /props, with the model and window`, async ({ harness }) => {
      const server = await harness.server({ dialect, model: 'Qwen3-8B', contextWindow: window ?? 8192 });
      const client = await createModelClient({ baseURL: server.url, server: 'auto', thinking: true });
      expect(client.endpoint).toEqual({ baseURL: server.url, server: dialect, model: 'Qwen3-8B', ...(window ? { contextWindow: window } : {}) });
      server.enqueue({ content: 'ok' });
      expect((await collect(client.stream(request()))).content).toBe('ok');
      expect(server.requests[0]!.body.model).toBe('Qwen3-8B');
    });
  }

  test('hosted endpoints are known by their host', () => {
    expect(detectServer('https://dashscope-intl.aliyuncs.com/compatible-mode/v1')).toBe('dashscope');
    expect(detectServer('https://dashscope.aliyuncs.com/compatible-mode/v1')).toBe('dashscope');
    expect(detectServer('https://openrouter.ai/api/v1')).toBe('openrouter');
    expect(detectServer('http://127.0.0.1:11434/v1')).toBe('ollama');
    expect(detectServer('http://127.0.0.1:9999/v1')).toBeUndefined();
  });

  test('a wrong base URL (404 on /models) says to check --model and --base-url', async ({ harness }) => {
    const server = await harness.server({ dialect: 'openrouter' });
    const failing = await createModelClient({ baseURL: `${server.url}/nowhere`, server: 'auto', thinking: true }).catch((error: unknown) => error);
    expect(failing).toMatchObject({ code: 'bad_request' });
    expect((failing as Error).message).toMatch(/404.*check --model and --base-url/);
  });
});

describe('thinking switch and sampling per preset', () => {
  test('llama: chat_template_kwargs and Qwen3.6 thinking sampling with extra keys', async ({ harness }) => {
    const { server, client } = await harness.pair('llama', { thinking: true, preserveThinking: true });
    server.enqueue({ content: 'ok' });
    await collect(client.stream(request()));
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      chat_template_kwargs: { enable_thinking: true, preserve_thinking: true },
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      min_p: 0,
      presence_penalty: 0,
    });
    expect(body.max_tokens).toBeUndefined();
  });

  test('vllm: thinking off uses the instruct sampling, overrides win, tool_choice passes', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm', { thinking: false, sampling: { temperature: 0.2, max_tokens: 4096 }, extraBody: { seed: 7 } });
    server.enqueue({ content: 'ok' });
    await collect(client.stream(request({ tools: [WEATHER_TOOL], toolChoice: 'none' })));
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({ chat_template_kwargs: { enable_thinking: false }, temperature: 0.2, top_p: 0.8, top_k: 20, presence_penalty: 1.5, max_tokens: 4096, seed: 7, tool_choice: 'none' });
    expect(body.tools).toEqual([WEATHER_TOOL]);
  });

  test('ollama: reasoning_effort none, and no top_k or min_p (its /v1 drops them)', async ({ harness }) => {
    const { server, client } = await harness.pair('ollama', { model: 'qwen3:8b', thinking: false });
    server.enqueue({ content: 'ok' });
    await collect(client.stream(request({ maxTokens: 512 })));
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({ reasoning_effort: 'none', temperature: 0.7, top_p: 0.8, max_tokens: 512 });
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('min_p');
    expect(body).not.toHaveProperty('chat_template_kwargs');
  });

  test('dashscope: top-level enable_thinking, thinking_budget and preserve_thinking', async ({ harness }) => {
    const { server, client } = await harness.pair('dashscope', { model: 'qwen3.6-plus', thinking: true, thinkingBudget: 2048, preserveThinking: true });
    server.enqueue({ content: 'ok' });
    await collect(client.stream(request()));
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({ enable_thinking: true, thinking_budget: 2048, preserve_thinking: true, top_k: 20 });
    expect(body).not.toHaveProperty('chat_template_kwargs');
    expect(body).not.toHaveProperty('min_p');
  });

  test('openrouter: reasoning.effort none when thinking is off', async ({ harness }) => {
    const { server, client } = await harness.pair('openrouter', { model: 'qwen/qwen3-32b', thinking: false });
    server.enqueue({ content: 'ok' });
    await collect(client.stream(request()));
    expect(server.requests[0]!.body).toMatchObject({ reasoning: { effort: 'none' }, temperature: 0.7, top_k: 20, min_p: 0 });
  });

  test('Qwen3-Coder gets its own sampling and repetition penalty under each server\'s name', async ({ harness }) => {
    const pairs = await Promise.all([
      harness.pair('sglang', { model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', thinking: true }),
      harness.pair('llama', { model: 'qwen3-coder-30b', thinking: true }),
    ]);
    for (const { server, client } of pairs) {
      server.enqueue({ content: 'ok' });
      await collect(client.stream(request()));
    }
    expect(pairs[0].server.requests[0]!.body).toMatchObject({ temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05 });
    expect(pairs[1].server.requests[0]!.body).toMatchObject({ temperature: 0.7, top_p: 0.8, top_k: 20, repeat_penalty: 1.05 });
  });
});

function conversation(): ChatMessage[] {
  return [
    { role: 'system', content: 'You are endure.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: '', reasoning: 'old thought', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":  "Paris"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    { role: 'assistant', content: 'Sunny.', reasoning: 'old answer thought' },
    { role: 'user', content: 'And Oslo?' },
    { role: 'assistant', content: '', reasoning: 'current thought', tool_calls: [{ id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{ "city":"Oslo" }' } }] },
    { role: 'tool', tool_call_id: 'c2', content: 'rain' },
  ];
}

describe('history rendering', () => {
  const expectations = [
    ['llama', ['reasoning_content']],
    ['vllm', ['reasoning', 'reasoning_content']],
    ['sglang', ['reasoning_content']],
    ['ollama', ['reasoning']],
    ['dashscope', ['reasoning_content']],
    ['openrouter', ['reasoning']],
  ] as const;
  for (const [dialect, fields] of expectations) {
    test(`${dialect}: reasoning of the current tool loop only, under ${fields.join(' and ')}`, async ({ harness }) => {
      const { server, client } = await harness.pair(dialect);
      server.enqueue({ content: 'Rain.' });
      await collect(client.stream(request({ messages: conversation() })));
      const sent = server.requests[0]!.body.messages;
      expect(sent[2]).toEqual({ role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":  "Paris"}' } }] });
      expect(sent[4]).toEqual({ role: 'assistant', content: 'Sunny.' });
      expect(sent[6]).toEqual({
        role: 'assistant',
        content: '',
        ...Object.fromEntries(fields.map((field) => [field, 'current thought'])),
        tool_calls: [{ id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{ "city":"Oslo" }' } }],
      });
      expect(sent[7]).toEqual({ role: 'tool', tool_call_id: 'c2', content: 'rain' });
    });
  }

  test('preserveThinking sends every turn\'s reasoning', () => {
    const wire = renderMessages(conversation(), 'llama', { preserveThinking: true });
    expect(wire.map((message) => ('reasoning_content' in message ? message.reasoning_content : undefined))).toEqual([
      undefined,
      undefined,
      'old thought',
      undefined,
      'old answer thought',
      undefined,
      'current thought',
      undefined,
    ]);
  });

  test('rendering is byte-stable, and a growing tool loop extends the previous body', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm');
    const messages = conversation();
    server.enqueue({ content: 'a' }, { content: 'a' }, { content: 'b' });
    await collect(client.stream(request({ messages, tools: [WEATHER_TOOL] })));
    await collect(client.stream(request({ messages, tools: [WEATHER_TOOL] })));
    const grown: ChatMessage[] = [...messages, { role: 'assistant', content: 'Rain in Oslo.', reasoning: 'done' }];
    await collect(client.stream(request({ messages: grown, tools: [WEATHER_TOOL] })));
    const [first, second, third] = server.requests.map((received) => received.raw);
    expect(second).toBe(first);
    const firstMessages = JSON.stringify(JSON.parse(first!).messages);
    expect(first).toContain(firstMessages);
    expect(third).toContain(`${firstMessages.slice(0, -1)},{"role":"assistant","content":"Rain in Oslo."`);
  });

  test('wire messages are built once per message object', () => {
    const messages = conversation();
    const once = renderMessages(messages, 'sglang');
    const again = renderMessages([...messages], 'sglang');
    once.forEach((message, i) => expect(again[i]).toBe(message));
  });

  test('the body sent is JSON.stringify of the body, byte for byte, on the first request and on later ones', async ({ harness }) => {
    const messages: ChatMessage[] = [
      ...conversation(),
      { role: 'user', content: 'quotes " backslash \\ newline \n tab \t nul \u0000 é ☃ 😀 \ud800 and </script>' },
    ];
    const wire = renderMessages(messages, 'llama');
    const body = buildRequestBody(request({ messages, tools: [WEATHER_TOOL] }), wire, 'qwen', { temperature: 0.6, extra: { nested: [1, null] } }, 512);
    expect(serializeRequestBody(body)).toBe(JSON.stringify(body));
    expect(serializeRequestBody(body)).toBe(JSON.stringify(body));
    expect(serializeRequestBody({ messages: [] })).toBe('{"messages":[]}');

    const { server, client } = await harness.pair('llama');
    server.enqueue({ content: 'a' });
    await collect(client.stream(request({ messages, tools: [WEATHER_TOOL] })));
    expect(server.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(server.requests[0]!.raw).toBe(JSON.stringify(JSON.parse(server.requests[0]!.raw)));
  });
});
