/**
 * Alibaba Model Studio (DashScope compatible mode): `reasoning_content`, explicit
 * nulls, `usage: null` on every chunk, and tool fragments that repeat the call id
 * without the name (odd fragments) or carry no id at all (even fragments).
 */
import { basicCompletion, DONE, randomHex, sse, type Dialect, type PlannedTurn, type StreamContext } from './types.js';

function chunk(context: StreamContext, delta: object, finish: string | null = null, first = false) {
  const base = first
    ? { content: null, function_call: null, refusal: null, role: 'assistant', tool_calls: null, reasoning_content: '' }
    : { content: null, role: null, tool_calls: null, reasoning_content: null };
  return {
    id: context.id,
    choices: [{ delta: { ...base, ...delta }, finish_reason: finish, index: 0, logprobs: null }],
    created: context.created,
    model: context.model,
    object: 'chat.completion.chunk',
    service_tier: null,
    system_fingerprint: null,
    usage: null,
  };
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events = [sse(chunk(context, {}, null, true))];
  for (const text of turn.reasoningPieces) events.push(sse(chunk(context, { reasoning_content: text })));
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  turn.calls.forEach((call, index) => {
    const id = call.id ?? `call_${randomHex(24)}`;
    events.push(sse(chunk(context, { tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] })));
    call.argumentPieces.forEach((piece, i) => {
      const fragment = i % 2 === 0 ? { index, id, type: 'function', function: { arguments: piece } } : { index, function: { arguments: piece } };
      events.push(sse(chunk(context, { tool_calls: [fragment] })));
    });
  });
  if (turn.finish !== null) events.push(sse(chunk(context, { content: '' }, turn.finish)));
  const { prompt, completion, cached, reasoning } = turn.usage;
  events.push(
    sse({
      id: context.id,
      choices: [],
      created: context.created,
      model: context.model,
      object: 'chat.completion.chunk',
      service_tier: null,
      system_fingerprint: null,
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        completion_tokens_details: { reasoning_tokens: reasoning ?? 0 },
        prompt_tokens_details: { cached_tokens: cached ?? 0 },
      },
    }),
  );
  events.push(DONE);
  return events;
}

const CODES: Record<number, [string, string]> = {
  400: ['invalid_parameter_error', 'invalid_request_error'],
  401: ['invalid_api_key', 'invalid_request_error'],
  429: ['insufficient_quota', 'insufficient_quota'],
};

function errorBody(status: number, message: string) {
  const [code, type] = CODES[status] ?? ['internal_error', 'internal_error'];
  return { error: { code, message, param: null, type }, request_id: `${randomHex(8)}-${randomHex(4)}-${randomHex(4)}-${randomHex(4)}-${randomHex(12)}` };
}

export const dashscope: Dialect = {
  name: 'dashscope',
  stream,
  streamError: (message) => [sse(errorBody(500, message))],
  errorBody,
  overflow: (_promptTokens, contextWindow) => ({
    status: 400,
    body: errorBody(400, `<400> InternalError.Algo.InvalidParameter: Range of input length should be [1, ${contextWindow}]`),
  }),
  models: (model) => ({ object: 'list', data: [{ id: model, object: 'model', created: 1762504029, owned_by: 'system' }] }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning_content'),
};
