/**
 * SGLang: `reasoning_content`, explicit nulls in every delta, `matched_stop`,
 * `usage: null` on content chunks, and its known multi-call bug: every tool call
 * streams with `index: 0` (sglang #6310). Errors are flat `{"object":"error"}` bodies.
 */
import { basicCompletion, DONE, randomHex, sse, type Dialect, type PlannedTurn, type StreamContext } from './types.js';

const NULL_DELTA = { role: null, content: null, reasoning_content: null, tool_calls: null };

function chunk(context: StreamContext, delta: object, finish: string | null = null) {
  return {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    choices: [{ index: 0, delta: { ...NULL_DELTA, ...delta }, logprobs: null, finish_reason: finish, matched_stop: finish === 'stop' ? 151645 : null }],
    usage: null,
  };
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events = [sse(chunk(context, { role: 'assistant', content: '' }))];
  for (const text of turn.reasoningPieces) events.push(sse(chunk(context, { reasoning_content: text })));
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  for (const call of turn.calls) {
    const header = { index: 0, id: call.id ?? `call_${randomHex(24)}`, type: 'function', function: { name: call.name, arguments: '' } };
    events.push(sse(chunk(context, { tool_calls: [header] })));
    for (const piece of call.argumentPieces) {
      events.push(sse(chunk(context, { tool_calls: [{ index: 0, id: null, type: null, function: { name: null, arguments: piece } }] })));
    }
  }
  if (turn.finish !== null) events.push(sse(chunk(context, {}, turn.finish)));
  const { prompt, completion, cached } = turn.usage;
  events.push(
    sse({
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      choices: [],
      usage: {
        prompt_tokens: prompt,
        total_tokens: prompt + completion,
        completion_tokens: completion,
        prompt_tokens_details: cached === undefined ? null : { cached_tokens: cached },
      },
    }),
  );
  events.push(DONE);
  return events;
}

function flatError(status: number, message: string, type = status === 400 ? 'BadRequest' : 'InternalServerError') {
  return { object: 'error', message, type, param: null, code: status };
}

export const sglang: Dialect = {
  name: 'sglang',
  stream,
  streamError: (message) => [sse({ error: { message, type: 'InternalServerError', code: 500 } }), DONE],
  errorBody: (status, message) => flatError(status, message),
  overflow: (promptTokens, contextWindow) => ({
    status: 400,
    body: flatError(
      400,
      `Requested token count exceeds the model's maximum context length of ${contextWindow} tokens. You requested a total of ${promptTokens + 1000} tokens: ${promptTokens} tokens from the input messages and 1000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`,
    ),
  }),
  models: (model, contextWindow) => ({
    object: 'list',
    data: [{ id: model, object: 'model', created: 1747281101, owned_by: 'sglang', root: model, max_model_len: contextWindow }],
  }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning_content'),
};
