/**
 * Reasoning and tool calls that arrive as text markup, through real HTTP: inline
 * `<think>`, closing-tag-only output, tags cut across chunks, Qwen3-Coder XML with
 * typed parameters and missing closing tags. Raw markup never reaches content.
 */
import { describe, expect } from 'vitest';
import type { ModelEvent } from '../../src/model/types.js';
import { collect, request, test, WEATHER_TOOL } from './fixtures.js';

const WRITE_TOOL = {
  type: 'function' as const,
  function: {
    name: 'write_file',
    description: 'Write a file',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        content: { type: 'string' },
        mode: { type: 'integer' },
        ratio: { type: 'number' },
        overwrite: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        options: { type: 'object' },
        note: { type: ['string', 'null'] },
      },
    },
  },
};
const tools = [WEATHER_TOOL, WRITE_TOOL];

function contentEvents(events: ModelEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'content' ? [event.text] : []));
}

function expectNoMarkup(events: ModelEvent[]): void {
  for (const text of contentEvents(events)) expect(text).not.toMatch(/<\/?think>|<\/?tool_call|<\/?function|<\/?parameter|<$/);
}

describe('inline reasoning', () => {
  test('<think>...</think> in the content becomes reasoning events', async ({ harness }) => {
    const { server, client } = await harness.pair('llama', { model: 'qwen3-32b', thinking: true });
    server.enqueue({ reasoning: 'Plan the answer.', inlineThink: true, content: 'Answer.', chunks: 40 });
    const result = await collect(client.stream(request()));
    expect(result.reasoning).toBe('\nPlan the answer.\n');
    expect(result.content).toBe('\n\nAnswer.');
    expect(result.finish?.message.reasoning).toBe('\nPlan the answer.\n');
    expectNoMarkup(result.events);
  });

  test('output with only the closing </think> (Qwen3.6 thinking) is reasoning up to the tag', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm', { model: 'Qwen/Qwen3.6-27B', thinking: true });
    server.enqueue({ reasoning: 'Think it through.', inlineThink: 'close-only', content: 'Done.', chunks: 30 });
    const result = await collect(client.stream(request()));
    expect(result.reasoning).toBe('Think it through.\n');
    expect(result.content).toBe('\n\nDone.');
    expectNoMarkup(result.events);
  });

  test('tags cut across chunks are held back until they are whole', async ({ harness }) => {
    const { server, client } = await harness.pair('sglang', { model: 'qwen3-8b', thinking: true });
    server.enqueue({ content: ['  <thi', 'nk>deep', ' thought</th', 'ink>Visible ', 'answer <', 'tool_ca', 'll>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_', 'call>'] });
    const result = await collect(client.stream(request({ tools })));
    expect(result.reasoning).toBe('deep thought');
    expect(result.content).toBe('Visible answer ');
    expect(result.toolCalls.map((call) => [call.name, call.args])).toEqual([['get_weather', { city: 'Oslo' }]]);
    expectNoMarkup(result.events);
  });

  test('a stray leading </think> after server-parsed reasoning is dropped', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm', { model: 'Qwen/Qwen3.6-27B', thinking: true });
    server.enqueue({ reasoning: 'Parsed by the server.', content: ['</think>', '\n\nHi there.'] });
    const result = await collect(client.stream(request()));
    expect(result.reasoning).toBe('Parsed by the server.');
    expect(result.content).toBe('\n\nHi there.');
  });

  test('a model that never thinks streams its content at once, even with thinking on', async ({ harness }) => {
    const { server, client } = await harness.pair('llama', { model: 'Qwen3-Coder-30B-A3B-Instruct', thinking: true });
    server.enqueue({ content: 'A < B and C > D, literally.', chunks: 10 });
    const result = await collect(client.stream(request()));
    expect(result.reasoning).toBe('');
    expect(result.content).toBe('A < B and C > D, literally.');
    expect(contentEvents(result.events).length).toBeGreaterThan(3);
  });

  test('Qwen3.5 opening a tool call inside unclosed reasoning ends the reasoning there', async ({ harness }) => {
    const { server, client } = await harness.pair('llama', { model: 'qwen3.5-35b-a3b', thinking: true });
    server.enqueue({ content: 'I should check the weather.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>' });
    const result = await collect(client.stream(request({ tools })));
    expect(result.reasoning).toBe('I should check the weather.\n');
    expect(result.content).toBe('');
    expect(result.toolCalls[0]!.args).toEqual({ city: 'Paris' });
  });
});

describe('Qwen3-Coder XML', () => {
  test('parameters are typed by the schema, with prose before the call', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm');
    server.enqueue({
      content:
        'Writing it now.\n<tool_call>\n<function=write_file>\n<parameter=path>\nsrc/a.py\n</parameter>\n<parameter=content>\nprint("hi")\n\n</parameter>\n' +
        '<parameter=mode>\n644\n</parameter>\n<parameter=ratio>\n0.5\n</parameter>\n<parameter=overwrite>\nTrue\n</parameter>\n' +
        '<parameter=tags>\n["a", "b"]\n</parameter>\n<parameter=options>\n{\'x\': 1, \'y\': None}\n</parameter>\n<parameter=note>\nnull\n</parameter>\n' +
        '<parameter=extra>\n42\n</parameter>\n</function>\n</tool_call>',
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.content).toBe('Writing it now.\n');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]!.args).toEqual({
      path: 'src/a.py',
      content: 'print("hi")\n',
      mode: 644,
      ratio: 0.5,
      overwrite: true,
      tags: ['a', 'b'],
      options: { x: 1, y: null },
      note: null,
      extra: '42',
    });
    expectNoMarkup(result.events);
  });

  test('missing closing tags and several calls in one message', async ({ harness }) => {
    const { server, client } = await harness.pair('llama');
    server.enqueue({
      content:
        '<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n<parameter=days>\n2\n</function>\n' +
        '<tool_call>\n<function=get_weather>\n<parameter=city>\nNice',
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.toolCalls.map((call) => call.args)).toEqual([{ city: 'Paris', days: 2 }, { city: 'Nice' }]);
    expect(result.content).toBe('');
    expect(result.finish?.reason).toBe('tool_calls');
  });

  test('a bare <function=...> block without <tool_call> is still a call', async ({ harness }) => {
    const { server, client } = await harness.pair('dashscope');
    server.enqueue({ content: 'Sure.\n<function=get_weather>\n<parameter=city>\nBern\n</parameter>\n</function>' });
    const result = await collect(client.stream(request({ tools })));
    expect(result.content).toBe('Sure.\n');
    expect(result.toolCalls[0]!.args).toEqual({ city: 'Bern' });
  });
});

describe('Hermes text', () => {
  test('an unclosed last call, and prose after the calls', async ({ harness }) => {
    const { server, client } = await harness.pair('ollama');
    server.enqueue({
      content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\nThen:\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}',
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.toolCalls.map((call) => call.args)).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);
    expect(result.content).toBe('\nThen:\n');
    expectNoMarkup(result.events);
  });

  test('an unparseable block becomes a call with an argument error, never raw content', async ({ harness }) => {
    const { server, client } = await harness.pair('openrouter');
    server.enqueue({ content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}} and {"more": 1}\n</tool_call>' });
    const result = await collect(client.stream(request({ tools })));
    expect(result.content).toBe('');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]!.name).toBe('get_weather');
    expect(result.toolCalls[0]!.arguments).toBe('{}');
    expect(result.toolCalls[0]!.argumentError).toMatch(/^arguments were not valid JSON/);
  });

  test('arguments cut off at the token limit are refused, not silently repaired', async ({ harness }) => {
    const { server, client } = await harness.pair('vllm');
    server.enqueue({ toolCalls: [{ name: 'write_file', arguments: '{"path": "a.txt", "content": "half of the fi' }], finish: 'length' });
    const result = await collect(client.stream(request({ tools })));
    expect(result.toolCalls[0]!.arguments).toBe('{}');
    expect(result.toolCalls[0]!.argumentError).toMatch(/cut off at the token limit/);
  });

  test('empty arguments mean {}', async ({ harness }) => {
    const { server, client } = await harness.pair('llama');
    server.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '' }] });
    const result = await collect(client.stream(request({ tools })));
    expect(result.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: '{}', args: {} });
    expect(result.toolCalls[0]!.argumentError).toBeUndefined();
  });
});

describe('vLLM tool-parser styles', () => {
  for (const style of ['hermes', 'qwen3_coder', 'qwen3_xml'] as const) {
    test(`${style} streaming gives the same call`, async ({ harness }) => {
      const { server, client } = await harness.pair('vllm');
      server.enqueue({ vllmToolStyle: style, toolCalls: [{ id: 'call_x', name: 'get_weather', arguments: { city: 'Paris', days: 3 } }, { name: 'get_weather', arguments: { city: 'Kyiv' } }] });
      const result = await collect(client.stream(request({ tools })));
      expect(result.toolCalls.map((call) => call.args)).toEqual([{ city: 'Paris', days: 3 }, { city: 'Kyiv' }]);
      expect(result.toolCalls[0]!.id).toBe('call_x');
    });
  }
});
