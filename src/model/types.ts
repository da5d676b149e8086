/**
 * The model boundary: the conversation as endure stores it, and the typed events a
 * streamed response becomes. Server dialects (field names, tool-call shapes, text
 * markup) are translated inside src/model; nothing above it sees them.
 */

/** A tool call as the assistant made it. `arguments` is always a JSON object string. */
export interface AssistantToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      /** Always a string ("" when empty): some servers reject null. */
      content: string;
      /** Reasoning exactly as received; sent back under the field the server reads. */
      reasoning?: string;
      tool_calls?: AssistantToolCall[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** An OpenAI function tool, as sent in `tools`. */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the server's prefix cache, when it reports them. */
  cachedTokens?: number;
  /** Prompt tokens the server had to process for this request (llama-server `timings.prompt_n`, else prompt − cached). */
  prefilledTokens?: number;
  reasoningTokens?: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter';

/**
 * A complete tool call. When the model's argument JSON could not be parsed or
 * repaired, `argumentError` says why, `args` is `{}` and `arguments` is `"{}"` so
 * that history never carries invalid JSON back to the server.
 */
export interface ParsedToolCall {
  id: string;
  name: string;
  /** The JSON object string to send back in history (byte-identical to what was received when it was valid). */
  arguments: string;
  args: Record<string, unknown>;
  argumentError?: string;
}

export type ModelEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  | { type: 'tool_call'; call: ParsedToolCall }
  | { type: 'usage'; usage: Usage }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | {
      type: 'finish';
      reason: FinishReason;
      /** The assistant message to append to history, built from everything above. */
      message: Extract<ChatMessage, { role: 'assistant' }>;
      toolCalls: ParsedToolCall[];
    };

export interface ModelRequest {
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  /** `none` for requests that are not a step of the loop (compaction summaries). */
  toolChoice?: 'auto' | 'none';
  maxTokens?: number;
  signal?: AbortSignal;
  /** What the request is for: a step of the loop (the default) or a side request such as a compaction summary. */
  purpose?: 'turn' | 'compaction';
  /** Multiplies the sampling temperature (a retry after unparsable output samples cooler). */
  temperatureScale?: number;
  /** llama-server: the slot to use (`id_slot`), e.g. the one a saved KV cache was restored into. */
  slot?: number;
}

export type ServerKind = 'llama' | 'vllm' | 'sglang' | 'ollama' | 'dashscope' | 'openrouter';

/** What the client learned about the endpoint. */
export interface EndpointInfo {
  baseURL: string;
  server: ServerKind;
  model: string;
  /** Context window in tokens when the server reports it (llama /props, vLLM max_model_len). */
  contextWindow?: number;
}

export interface ModelClient {
  readonly endpoint: EndpointInfo;
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
