/**
 * The script of the scripted server: what one request gets. A step is a turn (the
 * model's answer, rendered in the server's dialect) or a behaviour (an HTTP error,
 * a context overflow, a hang, a reset, an error inside the stream, a stream with
 * no finish reason). `planTurn` cuts a turn into the pieces a dialect streams.
 */
import type { PlannedCall, PlannedTurn, PlannedUsage, VllmToolStyle } from './dialects/types.js';

export interface ScriptedToolCall {
  name: string;
  /** An object (serialised with JSON.stringify) or the exact argument text, malformed or not. */
  arguments: Record<string, unknown> | string;
  /** @default a dialect-shaped random id */
  id?: string;
}

/** The model's answer to one request. */
export interface TurnStep {
  type?: 'turn';
  /** Reasoning text, or its exact stream pieces. */
  reasoning?: string | string[];
  /** Answer text, or its exact stream pieces (use pieces to cut a tag across chunks). */
  content?: string | string[];
  /** Streamed as the dialect's `tool_calls` fragments (or as text, see `textToolCalls`). */
  toolCalls?: ScriptedToolCall[];
  /** Write the calls as text in the content instead, as a server without a tool parser would. */
  textToolCalls?: 'hermes' | 'qwen3coder';
  /** Put the reasoning in the content: `<think>...</think>`, or only the closing tag. */
  inlineThink?: boolean | 'close-only';
  /** Token counts for the usage chunk. @default estimated from the request and answer sizes */
  usage?: Partial<PlannedUsage>;
  /** Cut the texts into about this many chunks in all. @default 8-character pieces, at most 64 per text */
  chunks?: number;
  /** @default 'tool_calls' with streamed calls, else 'stop' */
  finish?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** vLLM dialect only: the tool parser's streaming style. @default 'qwen3_coder' */
  vllmToolStyle?: VllmToolStyle;
  /** Pause between events (slow server). @default 0 */
  chunkDelayMs?: number;
}

export type BehaviourStep =
  /** An HTTP error before any stream; `body` defaults to the dialect's error shape with `message`. */
  | { type: 'http_error'; status: number; message?: string; body?: unknown; retryAfter?: number | string; headers?: Record<string, string> }
  /** The dialect's context-overflow error. */
  | { type: 'overflow'; promptTokens?: number; contextWindow?: number }
  /** Never answer (no headers), or stop after `afterChunks` events of `turn`; ends when the client aborts or the server closes. */
  | { type: 'hang'; afterChunks?: number; turn?: TurnStep }
  /** Destroy the connection after `afterChunks` events, once they were written (or when `when` settles). */
  | { type: 'reset'; afterChunks: number; turn?: TurnStep; when?: Promise<unknown> }
  /** A `data: {"error": ...}` event in the dialect's shape after `afterChunks` events. */
  | { type: 'stream_error'; afterChunks?: number; message?: string; turn?: TurnStep }
  /** The turn without any finish reason (usage and [DONE] still sent). */
  | { type: 'no_finish'; turn?: TurnStep };

export type Step = TurnStep | BehaviourStep;

const DEFAULT_PIECE = 8;
const MAX_PIECES = 64;

function splitInto(text: string, pieces: number): string[] {
  if (text === '') return [];
  const count = Math.max(1, Math.min(pieces, text.length));
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end += 1;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

function defaultPieces(text: string): number {
  return Math.min(MAX_PIECES, Math.ceil(text.length / DEFAULT_PIECE));
}

function joined(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('') : (value ?? '');
}

function xmlValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The calls as a server without a tool parser leaves them in the text. */
export function renderTextToolCalls(calls: readonly ScriptedToolCall[], style: 'hermes' | 'qwen3coder'): string {
  return calls
    .map((call) => {
      const args = call.arguments;
      if (style === 'hermes') {
        const argsText = typeof args === 'string' ? args : JSON.stringify(args);
        return `<tool_call>\n{"name": ${JSON.stringify(call.name)}, "arguments": ${argsText}}\n</tool_call>`;
      }
      const entries = typeof args === 'string' ? [] : Object.entries(args);
      const params = entries.map(([key, value]) => `<parameter=${key}>\n${xmlValue(value)}\n</parameter>\n`).join('');
      return `<tool_call>\n<function=${call.name}>\n${params}</function>\n</tool_call>`;
    })
    .join('\n');
}

/** Cut a turn into stream pieces; `promptChars` sizes the default usage. */
export function planTurn(step: TurnStep, promptChars: number): PlannedTurn {
  let reasoning = joined(step.reasoning);
  const structuredCalls = step.textToolCalls ? [] : (step.toolCalls ?? []);
  const textCalls = step.textToolCalls && step.toolCalls ? renderTextToolCalls(step.toolCalls, step.textToolCalls) : '';
  let prefix = '';
  if (step.inlineThink && reasoning !== '') {
    prefix = step.inlineThink === 'close-only' ? `${reasoning}\n</think>\n\n` : `<think>\n${reasoning}\n</think>\n\n`;
    reasoning = '';
  }
  const contentText = joined(step.content);
  const argTexts = structuredCalls.map((call) => (typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)));
  const texts = [reasoning, prefix, contentText, textCalls, ...argTexts];
  const total = texts.reduce((sum, text) => sum + text.length, 0);
  const piecesFor = (text: string) =>
    step.chunks === undefined ? defaultPieces(text) : Math.max(1, Math.round((step.chunks * text.length) / Math.max(1, total)));

  const reasoningPieces = Array.isArray(step.reasoning) && !prefix ? step.reasoning.filter((p) => p !== '') : splitInto(reasoning, piecesFor(reasoning));
  const contentPieces = [
    ...splitInto(prefix, piecesFor(prefix)),
    ...(Array.isArray(step.content) ? step.content.filter((p) => p !== '') : splitInto(contentText, piecesFor(contentText))),
    ...splitInto(textCalls, piecesFor(textCalls)),
  ];
  const calls: PlannedCall[] = structuredCalls.map((call, i) => ({
    ...(call.id ? { id: call.id } : {}),
    name: call.name,
    arguments: argTexts[i]!,
    argumentPieces: splitInto(argTexts[i]!, piecesFor(argTexts[i]!)),
    ...(typeof call.arguments === 'string' ? {} : { entries: Object.entries(call.arguments) }),
  }));
  const outputChars = reasoning.length + prefix.length + contentText.length + textCalls.length + argTexts.join('').length;
  const usage: PlannedUsage = {
    prompt: step.usage?.prompt ?? Math.max(1, Math.ceil(promptChars / 4)),
    completion: step.usage?.completion ?? Math.max(1, Math.ceil(outputChars / 4)),
    ...(step.usage?.cached === undefined ? {} : { cached: step.usage.cached }),
    ...(step.usage?.reasoning === undefined ? {} : { reasoning: step.usage.reasoning }),
  };
  return {
    reasoningPieces,
    contentPieces,
    calls,
    finish: step.finish ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
    usage,
    vllmToolStyle: step.vllmToolStyle ?? 'qwen3_coder',
  };
}
