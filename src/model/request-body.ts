/**
 * The JSON body of one chat-completions request. Everything but the messages,
 * tools and output limit is computed once per client, in a fixed key order, so
 * consecutive requests differ only where the conversation grew.
 */
import type { ModelRequest, ServerKind } from './types.js';
import { samplingBody, serverPreset } from './presets.js';
import type { SamplingSettings } from './sampling.js';
import type { WireMessage } from './render.js';

export interface BodySettings {
  server: ServerKind;
  model: string;
  thinking: boolean;
  sampling: SamplingSettings;
  preserveThinking?: boolean;
  thinkingBudget?: number;
  /** Extra top-level keys, merged last (they win). */
  extraBody?: Record<string, unknown>;
}

/** The fixed part of every body for these settings. */
export function fixedBodyPart(settings: BodySettings): Record<string, unknown> {
  const preset = serverPreset(settings.server);
  const { max_tokens: _maxTokens, ...sampling } = settings.sampling;
  return {
    ...samplingBody(preset, sampling),
    ...preset.thinkingBody({
      thinking: settings.thinking,
      ...(settings.preserveThinking ? { preserveThinking: true } : {}),
      ...(settings.thinkingBudget !== undefined ? { thinkingBudget: settings.thinkingBudget } : {}),
    }),
    ...settings.extraBody,
  };
}

export function buildRequestBody(
  request: ModelRequest,
  messages: WireMessage[],
  model: string,
  fixed: Record<string, unknown>,
  defaultMaxTokens: number | undefined,
): Record<string, unknown> {
  const maxTokens = request.maxTokens ?? defaultMaxTokens;
  // Messages go last: the body of each request then starts with the whole body
  // of the previous one (less its closing brackets), which the bench checks.
  return {
    model,
    ...(request.tools.length > 0 ? { tools: request.tools } : {}),
    ...(request.toolChoice && request.tools.length > 0 ? { tool_choice: request.toolChoice } : {}),
    stream: true,
    stream_options: { include_usage: true },
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...fixed,
    ...(request.temperatureScale !== undefined && typeof fixed['temperature'] === 'number'
      ? { temperature: Math.round(fixed['temperature'] * request.temperatureScale * 1000) / 1000 }
      : {}),
    ...(request.slot === undefined ? {} : { id_slot: request.slot }),
    messages,
  };
}

/** Each wire message's JSON, kept as long as the message (render.ts reuses the same object every turn). */
const messageJson = new WeakMap<object, string>();

/**
 * The body as sent, byte for byte `JSON.stringify(body)` (messages last, as
 * buildRequestBody puts them), but each message is serialized once in its life,
 * not once per request: a turn then encodes what the conversation grew, and the
 * long history costs one join instead of a walk and escape of every string.
 */
export function serializeRequestBody(body: Record<string, unknown>): string {
  const { messages, ...rest } = body as { messages: object[] } & Record<string, unknown>;
  const parts = messages.map((message) => {
    let json = messageJson.get(message);
    if (json === undefined) {
      json = JSON.stringify(message);
      messageJson.set(message, json);
    }
    return json;
  });
  const head = JSON.stringify(rest);
  return `${head === '{}' ? '{' : `${head.slice(0, -1)},`}"messages":[${parts.join(',')}]}`;
}
