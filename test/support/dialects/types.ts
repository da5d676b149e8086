/**
 * What a dialect of the scripted server receives (a turn already planned into
 * pieces) and what it must produce (framed SSE events and JSON bodies in that
 * server's exact shapes, per shared/reference/qwen-wire.md section 5).
 */

export type DialectName = 'llama' | 'vllm' | 'sglang' | 'ollama' | 'dashscope' | 'openrouter';

/** How vLLM streams a tool call, per its `--tool-call-parser`. */
export type VllmToolStyle = 'hermes' | 'qwen3_coder' | 'qwen3_xml';

export interface PlannedCall {
  id?: string;
  name: string;
  /** The whole argument string as the server would send it. */
  arguments: string;
  /** The argument string cut into stream fragments. */
  argumentPieces: string[];
  /** Top-level entries when the arguments are an object (vLLM qwen3_coder streams one per parameter). */
  entries?: [string, unknown][];
}

export interface PlannedUsage {
  prompt: number;
  completion: number;
  cached?: number;
  reasoning?: number;
}

export interface PlannedTurn {
  reasoningPieces: string[];
  contentPieces: string[];
  calls: PlannedCall[];
  /** `null`: the stream ends without any finish reason. */
  finish: string | null;
  usage: PlannedUsage;
  vllmToolStyle: VllmToolStyle;
}

export interface StreamContext {
  id: string;
  created: number;
  model: string;
}

export interface ErrorResponse {
  status: number;
  body: unknown;
}

export interface Dialect {
  readonly name: DialectName;
  /** Framed SSE events (`data: ...\n\n`, comments), ending with `data: [DONE]` when the server sends it. */
  stream(turn: PlannedTurn, context: StreamContext): string[];
  /** The events of an error reported inside a stream; `close` after them (some servers send no [DONE]). */
  streamError(message: string, context: StreamContext): string[];
  errorBody(status: number, message: string): unknown;
  overflow(promptTokens: number, contextWindow: number): ErrorResponse;
  models(model: string, contextWindow: number): unknown;
  /** GET /props (llama-server only). */
  props?(model: string, contextWindow: number): unknown;
  /** Non-streamed `chat.completion` body. */
  completion(turn: PlannedTurn, context: StreamContext): unknown;
}

export function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

export const DONE = 'data: [DONE]\n\n';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return text;
}

export function randomHex(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += '0123456789abcdef'[Math.floor(Math.random() * 16)];
  return text;
}

/** The assistant message of a non-streamed answer, with reasoning under `field`. */
export function completionMessage(turn: PlannedTurn, field: 'reasoning' | 'reasoning_content' | undefined) {
  const reasoning = turn.reasoningPieces.join('');
  return {
    role: 'assistant',
    content: turn.contentPieces.join(''),
    ...(field && reasoning !== '' ? { [field]: reasoning } : {}),
    ...(turn.calls.length > 0
      ? {
          tool_calls: turn.calls.map((call) => ({
            id: call.id ?? `call_${randomHex(24)}`,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
  };
}

export function basicCompletion(turn: PlannedTurn, context: StreamContext, field: 'reasoning' | 'reasoning_content') {
  return {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: [{ index: 0, message: completionMessage(turn, field), finish_reason: turn.finish ?? 'stop' }],
    usage: {
      prompt_tokens: turn.usage.prompt,
      completion_tokens: turn.usage.completion,
      total_tokens: turn.usage.prompt + turn.usage.completion,
    },
  };
}
