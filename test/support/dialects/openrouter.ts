/**
 * OpenRouter: `: OPENROUTER PROCESSING` comment lines, `reasoning` plus
 * `reasoning_details`, `native_finish_reason`, cost in usage, and a mid-stream
 * error as a chunk with an `error` key and `finish_reason: "error"` (HTTP stays 200).
 */
import { basicCompletion, DONE, randomHex, sse, type Dialect, type PlannedTurn, type StreamContext } from './types.js';

const PROCESSING = ': OPENROUTER PROCESSING\n\n';

function chunk(context: StreamContext, delta: object, finish: string | null = null) {
  return {
    id: context.id,
    provider: 'Alibaba',
    model: context.model,
    object: 'chat.completion.chunk',
    created: context.created,
    choices: [{ index: 0, delta: { role: 'assistant', content: '', ...delta }, finish_reason: finish, native_finish_reason: finish, logprobs: null }],
  };
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events = [PROCESSING];
  turn.reasoningPieces.forEach((text, index) => {
    events.push(sse(chunk(context, { reasoning: text, reasoning_details: [{ type: 'reasoning.text', text, format: 'unknown', index }] })));
  });
  if (turn.reasoningPieces.length > 0) events.push(PROCESSING);
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  turn.calls.forEach((call, index) => {
    const id = call.id ?? `call_${randomHex(24)}`;
    events.push(sse(chunk(context, { tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] })));
    for (const piece of call.argumentPieces) {
      events.push(sse(chunk(context, { tool_calls: [{ index, type: 'function', function: { arguments: piece } }] })));
    }
  });
  if (turn.finish !== null) events.push(sse(chunk(context, {}, turn.finish)));
  const { prompt, completion, cached, reasoning } = turn.usage;
  events.push(
    sse({
      id: context.id,
      provider: 'Alibaba',
      model: context.model,
      object: 'chat.completion.chunk',
      created: context.created,
      choices: [],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        cost: 0.00002,
        prompt_tokens_details: { cached_tokens: cached ?? 0 },
        completion_tokens_details: { reasoning_tokens: reasoning ?? 0 },
      },
    }),
  );
  events.push(DONE);
  return events;
}

export const openrouter: Dialect = {
  name: 'openrouter',
  stream,
  streamError: (message, context) => [
    sse({
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      provider: 'Alibaba',
      error: { code: 'server_error', message },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    }),
    DONE,
  ],
  errorBody: (status, message) => ({ error: { code: status, message, metadata: {} } }),
  overflow: (promptTokens, contextWindow) => ({
    status: 400,
    body: {
      error: {
        code: 400,
        message: `This endpoint's maximum context length is ${contextWindow} tokens. However, you requested about ${promptTokens} tokens (${promptTokens - 1000} of text input, 1000 in the output). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`,
        metadata: {},
      },
    },
  }),
  models: (model, contextWindow) => ({
    data: [{ id: model, canonical_slug: model, name: model, created: 1760000000, context_length: contextWindow, pricing: { prompt: '0.0000001', completion: '0.0000003' } }],
  }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning'),
};
