/**
 * The conversation as each server reads it. Reasoning goes back only for assistant
 * turns after the last user message (the current tool loop), or for every turn
 * with `preserveThinking`, under the field that server reads; tool arguments go
 * back as the JSON object string exactly as stored; content is always a string.
 *
 * Rendering is deterministic (same messages, same bytes: the server's prefix cache
 * depends on it) and cheap for long histories: each message's wire form is built
 * once and cached by the message object, so messages must not be mutated after
 * they are appended.
 */
import type { ChatMessage, ServerKind } from './types.js';
import { serverPreset } from './presets.js';

/** One message in the request body. */
export type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'tool'; tool_call_id: string; content: string }
  | {
      role: 'assistant';
      content: string;
      reasoning?: string;
      reasoning_content?: string;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    };

export interface RenderOptions {
  /** Send every past turn's reasoning, not only the current tool loop's. @default false */
  preserveThinking?: boolean;
}

/** A message's wire forms: without reasoning, and with it under one set of fields. */
interface CachedWire {
  plain?: WireMessage;
  withReasoning?: WireMessage;
  reasoningFields?: readonly string[];
}
const wireCache = new WeakMap<ChatMessage, CachedWire>();

function toWire(message: ChatMessage, reasoningFields: readonly string[]): WireMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
    case 'assistant': {
      const wire: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
      for (const field of reasoningFields) wire[field] = message.reasoning;
      if (message.tool_calls && message.tool_calls.length > 0) {
        wire['tool_calls'] = message.tool_calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments },
        }));
      }
      return wire as WireMessage;
    }
    default: {
      const exhaustive: never = message;
      return exhaustive;
    }
  }
}

function cachedWire(message: ChatMessage, reasoningFields: readonly string[] | undefined): WireMessage {
  let cached = wireCache.get(message);
  if (!cached) {
    cached = {};
    wireCache.set(message, cached);
  }
  if (!reasoningFields) return (cached.plain ??= toWire(message, []));
  if (cached.withReasoning && cached.reasoningFields === reasoningFields) return cached.withReasoning;
  cached.reasoningFields = reasoningFields;
  return (cached.withReasoning = toWire(message, reasoningFields));
}

function lastUserIndex(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i;
  return -1;
}

/** The `messages` array of a request for `server`. Returned objects are shared: do not mutate them. */
export function renderMessages(
  messages: readonly ChatMessage[],
  server: ServerKind,
  options: RenderOptions = {},
): WireMessage[] {
  const fields = serverPreset(server).historyReasoningFields;
  const from = options.preserveThinking ? 0 : lastUserIndex(messages) + 1;
  const wire = new Array<WireMessage>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const withReasoning = i >= from && message.role === 'assistant' && typeof message.reasoning === 'string' && message.reasoning !== '';
    wire[i] = cachedWire(message, withReasoning ? fields : undefined);
  }
  return wire;
}
