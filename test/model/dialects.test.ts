/** Every dialect of the scripted server, through the real openai SDK and the model client. */
import { describe, expect } from 'vitest';
import { DIALECT_NAMES } from '../support/scripted-server.js';
import { collect, request, test, WEATHER_TOOL } from './fixtures.js';

const tools = [WEATHER_TOOL];

describe.each(DIALECT_NAMES)('%s dialect', (dialect) => {
  test('reasoning and answer become reasoning, content, usage and finish events', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ reasoning: 'The user greets me.', content: 'Hello! How can I help?', usage: { prompt: 812, completion: 9, cached: 800 } });
    const result = await collect(client.stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.reasoning).toBe('The user greets me.');
    expect(result.content).toBe('Hello! How can I help?');
    expect(result.finish?.reason).toBe('stop');
    expect(result.finish?.message).toEqual({ role: 'assistant', content: 'Hello! How can I help?', reasoning: 'The user greets me.' });
    expect(result.usage?.promptTokens).toBe(812);
    expect(result.usage?.completionTokens).toBe(9);
    if (dialect !== 'ollama') expect(result.usage?.cachedTokens).toBe(800);
    expect(result.events.filter((e) => e.type === 'content').length).toBeGreaterThan(1);
  });

  test('a streamed tool call arrives whole, arguments byte-identical', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ reasoning: 'Need weather.', toolCalls: [{ id: 'call_fixed_1', name: 'get_weather', arguments: '{"city": "Paris", "days": 3}' }] });
    const result = await collect(client.stream(request({ tools })));
    expect(result.error).toBeUndefined();
    expect(result.toolCalls).toEqual([{ id: 'call_fixed_1', name: 'get_weather', arguments: '{"city": "Paris", "days": 3}', args: { city: 'Paris', days: 3 } }]);
    expect(result.finish?.reason).toBe('tool_calls');
    expect(result.finish?.message.tool_calls).toEqual([
      { id: 'call_fixed_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris", "days": 3}' } },
    ]);
    expect(result.content).toBe('');
  });

  test('two calls in one message stay two calls', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Oslo', days: 2 } },
      ],
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.error).toBeUndefined();
    expect(result.toolCalls.map((call) => [call.name, call.args])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Oslo', days: 2 }],
    ]);
    expect(new Set(result.toolCalls.map((call) => call.id)).size).toBe(2);
    for (const call of result.toolCalls) expect(JSON.parse(call.arguments)).toEqual(call.args);
  });

  test('Hermes tool calls in the text become tool calls, with the prose before them', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect, { thinking: false });
    server.enqueue({
      content: 'Let me check both.\n',
      textToolCalls: 'hermes',
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Rome', days: 1 } },
      ],
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.error).toBeUndefined();
    expect(result.content).toBe('Let me check both.\n');
    expect(result.toolCalls.map((call) => call.args)).toEqual([{ city: 'Paris' }, { city: 'Rome', days: 1 }]);
    expect(result.finish?.reason).toBe('tool_calls');
    expect(result.finish?.message.content).toBe('Let me check both.\n');
    for (const event of result.events) if (event.type === 'content') expect(event.text).not.toMatch(/<\/?tool_call|<function/);
  });

  test('Qwen3-Coder XML tool calls in the text are typed by the schema', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({ textToolCalls: 'qwen3coder', toolCalls: [{ name: 'get_weather', arguments: { city: 'Lyon', days: 4 } }] });
    const result = await collect(client.stream(request({ tools })));
    expect(result.error).toBeUndefined();
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]!.args).toEqual({ city: 'Lyon', days: 4 });
    expect(result.toolCalls[0]!.arguments).toBe('{"city":"Lyon","days":4}');
    expect(result.content).toBe('');
  });

  test('malformed argument JSON is repaired, or refused with an error the model reads', async ({ harness }) => {
    const { server, client } = await harness.pair(dialect);
    server.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: "{'city': 'Paris', days: 2,}" },
        { name: 'get_weather', arguments: '[[[' },
      ],
    });
    const result = await collect(client.stream(request({ tools })));
    expect(result.error).toBeUndefined();
    const [repaired, refused] = result.toolCalls;
    expect(repaired!.args).toEqual({ city: 'Paris', days: 2 });
    expect(JSON.parse(repaired!.arguments)).toEqual({ city: 'Paris', days: 2 });
    expect(repaired!.argumentError).toBeUndefined();
    expect(refused!.args).toEqual({});
    expect(refused!.arguments).toBe('{}');
    expect(refused!.argumentError).toMatch(/^arguments were not valid JSON: /);
  });
});
