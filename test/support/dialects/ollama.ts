/** Ollama `/v1`: `reasoning`, `role` and `content: ""` on every chunk, each tool call whole in one chunk. */
import { basicCompletion, DONE, randomAlnum, sse, type Dialect, type PlannedTurn, type StreamContext } from './types.js';

function chunk(context: StreamContext, delta: object, finish: string | null = null) {
  return {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, delta: { role: 'assistant', content: '', ...delta }, finish_reason: finish }],
  };
}

function stream(turn: PlannedTurn, context: StreamContext): string[] {
  const events: string[] = [];
  for (const text of turn.reasoningPieces) events.push(sse(chunk(context, { reasoning: text })));
  for (const text of turn.contentPieces) events.push(sse(chunk(context, { content: text })));
  turn.calls.forEach((call, index) => {
    const whole = { id: call.id ?? `call_${randomAlnum(8).toLowerCase()}`, index, type: 'function', function: { name: call.name, arguments: call.arguments } };
    events.push(sse(chunk(context, { tool_calls: [whole] })));
  });
  if (turn.finish !== null) events.push(sse(chunk(context, {}, turn.finish)));
  const { prompt, completion } = turn.usage;
  events.push(
    sse({
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      system_fingerprint: 'fp_ollama',
      choices: [],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    }),
  );
  events.push(DONE);
  return events;
}

function errorBody(_status: number, message: string) {
  return { error: { message, type: 'api_error', param: null, code: null } };
}

export const ollama: Dialect = {
  name: 'ollama',
  stream,
  streamError: (message) => [sse(errorBody(500, message))],
  errorBody,
  overflow: (promptTokens, contextWindow) => ({
    status: 400,
    body: errorBody(400, `the input length (${promptTokens} tokens) exceeds the context length (${contextWindow} tokens)`),
  }),
  models: (model) => ({ object: 'list', data: [{ id: model, object: 'model', created: 1760000000, owned_by: 'library' }] }),
  completion: (turn, context) => basicCompletion(turn, context, 'reasoning'),
};
