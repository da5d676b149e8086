/** llama-server (`--jinja`, reasoning format deepseek): `reasoning_content`, tool header then fragments, id once. */
import { basicCompletion, DONE, randomAlnum, sse, type Dialect, type PlannedTurn, type StreamContext } from './types.js';

function chunk(context: StreamContext, delta: object, finish: string | null = null) {
  return {
    choices: [{ finish_reason: finish, index: 0, delta }],
    created: context.created,
    id: context.id,
    model: context.model,
    system_fingerprint: 'b6800',
    object: 'chat.completion.chunk',
  };
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events = [sse(chunk(context, { role: 'assistant', content: null }))];
  for (const text of turn.reasoningPieces) events.push(sse(chunk(context, { reasoning_content: text })));
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  turn.calls.forEach((call, index) => {
    const header = { index, id: call.id ?? randomAlnum(24), type: 'function', function: { name: call.name, arguments: '' } };
    events.push(sse(chunk(context, { tool_calls: [header] })));
    for (const piece of call.argumentPieces) {
      events.push(sse(chunk(context, { tool_calls: [{ index, function: { arguments: piece } }] })));
    }
  });
  if (turn.finish !== null) events.push(sse(chunk(context, {}, turn.finish)));
  const { prompt, completion, cached } = turn.usage;
  events.push(
    sse({
      choices: [],
      created: context.created,
      id: context.id,
      model: context.model,
      system_fingerprint: 'b6800',
      object: 'chat.completion.chunk',
      usage: {
        completion_tokens: completion,
        prompt_tokens: prompt,
        total_tokens: prompt + completion,
        ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
      },
      timings: {
        cache_n: cached ?? 0,
        prompt_n: prompt - (cached ?? 0),
        prompt_ms: 31.2,
        prompt_per_token_ms: 2.6,
        prompt_per_second: 384.6,
        predicted_n: completion,
        predicted_ms: 140.5,
        predicted_per_token_ms: 15.6,
        predicted_per_second: 64.1,
      },
    }),
  );
  events.push(DONE);
  return events;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  501: 'not_supported_error',
  503: 'unavailable_error',
};

export const llama: Dialect = {
  name: 'llama',
  stream,
  // llama.cpp closes the stream after a mid-stream error without sending [DONE].
  streamError: (message) => [sse({ error: { code: 500, message, type: 'server_error' } })],
  errorBody: (status, message) => ({ error: { code: status, message, type: ERROR_TYPES[status] ?? 'server_error' } }),
  overflow: (promptTokens, contextWindow) => ({
    status: 400,
    body: {
      error: {
        code: 400,
        message: `request (${promptTokens} tokens) exceeds the available context size (${contextWindow} tokens), try increasing it`,
        type: 'exceed_context_size_error',
        n_prompt_tokens: promptTokens,
        n_ctx: contextWindow,
      },
    },
  }),
  models: (model) => ({
    models: [{ name: model, model, modified_at: '', size: '', digest: '', type: 'model', description: '', tags: [''], capabilities: ['completion'], parameters: '', details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' } }],
    object: 'list',
    data: [
      {
        id: model,
        object: 'model',
        created: 1760000000,
        owned_by: 'llamacpp',
        meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: 262144, n_embd: 5120, n_params: 27000000000, size: 16000000000 },
      },
    ],
  }),
  props: (model, contextWindow) => ({
    default_generation_settings: { id: 0, id_task: -1, n_ctx: contextWindow, speculative: false, is_processing: false, params: { n_predict: -1, temperature: 0.8 } },
    total_slots: 1,
    model_alias: model,
    model_path: `/models/${model}.gguf`,
    modalities: { vision: false, audio: false },
    endpoint_slots: true,
    is_sleeping: false,
    chat_template: '{# qwen #}',
    chat_template_caps: {
      supports_object_arguments: true,
      supports_parallel_tool_calls: true,
      supports_preserve_reasoning: false,
      supports_string_content: true,
      supports_system_role: true,
      supports_tool_calls: true,
      supports_tools: true,
      supports_typed_content: false,
    },
    bos_token: '',
    eos_token: '<|im_end|>',
    build_info: 'b6800-0000000',
  }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning_content'),
};
