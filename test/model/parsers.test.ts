/** The pure pieces under the client: fragment merging, SSE decoding, argument repair, error texts. */
import { describe, expect, test } from 'vitest';
import { detectOverflow, retryAfterMs } from '../../src/model/errors.js';
import { SseDecoder } from '../../src/model/sse-decoder.js';
import { ThinkSplitter, type TextKind } from '../../src/model/think-splitter.js';
import { ToolCallFragments } from '../../src/model/tool-call-fragments.js';
import { parseToolArguments } from '../../src/model/tool-arguments.js';
import { typeParameterValue } from '../../src/model/qwen3-coder-tool-calls.js';

describe('tool-call fragments', () => {
  test('SGLang reusing index 0 without ids: a new name after complete arguments is a new call', () => {
    const fragments = new ToolCallFragments();
    fragments.push({ index: 0, function: { name: 'a', arguments: '' } });
    fragments.push({ index: 0, function: { arguments: '{"x":1}' } });
    fragments.push({ index: 0, function: { name: 'b', arguments: '{"y"' } });
    fragments.push({ index: 0, function: { arguments: ':2}' } });
    expect(fragments.finish(false).map((call) => [call.name, call.arguments])).toEqual([
      ['a', '{"x":1}'],
      ['b', '{"y":2}'],
    ]);
  });

  test('an id that arrives after the arguments, and a repeated name mid-arguments, stay one call', () => {
    const fragments = new ToolCallFragments();
    fragments.push({ index: 0, function: { name: 'a', arguments: '{"x":' } });
    fragments.push({ index: 0, id: 'late', function: { name: 'a', arguments: '1}' } });
    const [call] = fragments.finish(false);
    expect(call).toEqual({ id: 'late', name: 'a', arguments: '{"x":1}', args: { x: 1 } });
  });

  test('a whole call replayed after its fragments is not appended twice', () => {
    const fragments = new ToolCallFragments();
    fragments.push({ index: 0, id: 'c', function: { name: 'a', arguments: '' } });
    fragments.push({ index: 0, function: { arguments: '{"x":1}' } });
    fragments.push({ index: 0, id: 'c', function: { name: 'a', arguments: '{"x":1}' } });
    expect(fragments.finish(false)).toHaveLength(1);
    expect(fragments.finish(false)[0]!.arguments).toBe('{"x":1}');
  });

  test('fragments without an index go to the last call; a call without an id gets one', () => {
    const fragments = new ToolCallFragments();
    fragments.push({ function: { name: 'a', arguments: '{' } });
    fragments.push({ function: { arguments: '}' } });
    const [call] = fragments.finish(false);
    expect(call!.arguments).toBe('{}');
    expect(call!.id).toMatch(/^call_[0-9a-f]{24}$/);
  });
});

describe('SSE decoding', () => {
  test('CRLF framing, multi-line data, comments and event names', () => {
    const decoder = new SseDecoder();
    const events = [
      ...decoder.push(': OPENROUTER PROCESSING\r\n\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: error\r\ndata: {"error":'),
      ...decoder.push('"x"}\r\n\r\ndata: [DONE]'),
      ...decoder.end(),
    ];
    expect(events).toEqual([
      { event: undefined, data: '{"a":\n1}' },
      { event: 'error', data: '{"error":"x"}' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  test('an event cut anywhere across reads', () => {
    const text = 'data: {"n":1}\n\ndata: {"n":2}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const decoder = new SseDecoder();
      const events = [...decoder.push(text.slice(0, cut)), ...decoder.push(text.slice(cut))];
      expect(events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}']);
    }
  });
});

describe('think splitting', () => {
  test('every cut of an inline think block gives the same reasoning and content', () => {
    const text = '<think>\nreason < here\n</think>\n\nanswer </think> stays';
    for (let cut = 1; cut < text.length; cut++) {
      const out: Record<TextKind, string> = { reasoning: '', content: '' };
      const splitter = new ThinkSplitter((kind, piece) => (out[kind] += piece), false);
      splitter.push(text.slice(0, cut));
      splitter.push(text.slice(cut));
      splitter.end();
      expect(out).toEqual({ reasoning: '\nreason < here\n', content: '\n\nanswer </think> stays' });
    }
  });

  test('closing-only output with no closing tag at all is content', () => {
    const out: Record<TextKind, string> = { reasoning: '', content: '' };
    const splitter = new ThinkSplitter((kind, piece) => (out[kind] += piece), true);
    splitter.push('just an answer');
    splitter.end();
    expect(out).toEqual({ reasoning: '', content: 'just an answer' });
  });
});

describe('tool arguments', () => {
  test('valid JSON is kept byte-identical', () => {
    expect(parseToolArguments('{ "a" : [1, 2] }')).toEqual({ arguments: '{ "a" : [1, 2] }', args: { a: [1, 2] } });
  });

  test('double-encoded JSON objects are unwrapped', () => {
    expect(parseToolArguments('"{\\"a\\":1}"')).toEqual({ arguments: '{"a":1}', args: { a: 1 } });
  });

  test('JSON that is not an object is refused', () => {
    expect(parseToolArguments('[1]').argumentError).toMatch(/expected a JSON object, got an array/);
    expect(parseToolArguments('42').arguments).toBe('{}');
  });
});

describe('Qwen3-Coder parameter typing (vLLM rules)', () => {
  test.each([
    ['12', 'integer', 12],
    ['12.5', 'integer', '12.5'],
    ['3.0', 'number', 3],
    ['yes', 'boolean', false],
    ['TRUE', 'bool', true],
    ['null', 'string', null],
    ['[1, 2]', 'array', [1, 2]],
    ["{'a': True}", 'object', { a: true }],
    ['not json {', 'object', 'not json {'],
    ['7', undefined, '7'],
  ] as const)('%j as %s', (value, type, expected) => {
    expect(typeParameterValue(value, type)).toEqual(expected);
  });
});

describe('error texts', () => {
  test('overflow messages of each server, with the window when stated', () => {
    expect(detectOverflow('request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it')).toEqual({ contextWindow: 8192 });
    expect(detectOverflow("This model's maximum context length is 16384 tokens. However, you requested 122946 tokens")).toEqual({ contextWindow: 16384 });
    expect(detectOverflow("The input (40000 tokens) is longer than the model's context length (32768 tokens).")).toEqual({ contextWindow: 32768 });
    expect(detectOverflow('<400> InternalError.Algo.InvalidParameter: Range of input length should be [1, 983616]')).toEqual({ contextWindow: 983616 });
    expect(detectOverflow('whatever', { type: 'exceed_context_size_error', n_ctx: 4096 })).toEqual({ contextWindow: 4096 });
    expect(detectOverflow('Invalid tool choice')).toBe(false);
  });

  test('Retry-After in seconds, milliseconds and as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
