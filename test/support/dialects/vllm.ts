/**
 * vLLM (`--reasoning-parser qwen3`): `reasoning`, `delta.content: ""` on the first
 * and finish chunks, `stop_reason`, and tool calls in the style of the chosen
 * `--tool-call-parser`: hermes (id + name, then partial-JSON diffs), qwen3_coder
 * (header, `{`, one fragment per parameter, `}`), qwen3_xml (as qwen3_coder plus a
 * tail delta repeating the id). The finish reason rides on the last tool fragment.
 */
import { basicCompletion, DONE, randomHex, sse, type Dialect, type PlannedCall, type PlannedTurn, type StreamContext } from './types.js';

function chunk(context: StreamContext, delta: object, finish: string | null = null, first = false) {
  return {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    choices: [
      {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finish,
        ...(first ? {} : finish === null ? { token_ids: null } : { stop_reason: null }),
      },
    ],
  };
}

function argumentFragments(call: PlannedCall, style: PlannedTurn['vllmToolStyle']): string[] {
  if (style === 'hermes' || !call.entries) return call.argumentPieces;
  const fragments = ['{'];
  call.entries.forEach(([key, value], i) => fragments.push(`${i === 0 ? '' : ', '}${JSON.stringify(key)}: ${JSON.stringify(value)}`));
  fragments.push('}');
  return fragments;
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events = [sse(chunk(context, { role: 'assistant', content: '' }, null, true))];
  for (const text of turn.reasoningPieces) events.push(sse(chunk(context, { reasoning: text })));
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  const deltas: object[] = [];
  turn.calls.forEach((call, index) => {
    const id = call.id ?? `chatcmpl-tool-${randomHex(16)}`;
    deltas.push({ tool_calls: [{ id, type: 'function', index, function: { name: call.name, arguments: '' } }] });
    for (const piece of argumentFragments(call, turn.vllmToolStyle)) {
      deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
    if (turn.vllmToolStyle === 'qwen3_xml') deltas.push({ tool_calls: [{ index, id, type: 'function', function: { arguments: '' } }] });
  });
  deltas.forEach((delta, i) => {
    const last = i === deltas.length - 1;
    events.push(sse(chunk(context, delta, last ? turn.finish : null)));
  });
  if (deltas.length === 0 && turn.finish !== null) events.push(sse(chunk(context, { content: '' }, turn.finish)));
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

const ERROR_TYPES: Record<number, string> = { 400: 'BadRequestError', 401: 'Unauthorized', 404: 'NotFoundError', 429: 'RateLimitError' };

export const vllm: Dialect = {
  name: 'vllm',
  stream,
  streamError: (message) => [sse({ error: { message, type: 'InternalServerError', param: null, code: 500 } }), DONE],
  errorBody: (status, message) => ({ error: { message, type: ERROR_TYPES[status] ?? 'InternalServerError', param: null, code: status } }),
  overflow: (promptTokens, contextWindow) => ({
    status: 400,
    body: {
      error: {
        message: `This model's maximum context length is ${contextWindow} tokens. However, you requested ${promptTokens + 1000} tokens (${promptTokens} in the messages, 1000 in the completion). Please reduce the length of the messages or completion.`,
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    },
  }),
  models: (model, contextWindow) => ({
    object: 'list',
    data: [
      {
        id: model,
        object: 'model',
        created: 1773161262,
        owned_by: 'vllm',
        root: model,
        parent: null,
        max_model_len: contextWindow,
        permission: [{ id: `modelperm-${randomHex(16)}`, object: 'model_permission', created: 1773161262, allow_create_engine: false, allow_sampling: true, allow_logprobs: true, allow_search_indices: false, allow_view: true, allow_fine_tuning: false, organization: '*', group: null, is_blocking: false }],
      },
    ],
  }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning'),
};
