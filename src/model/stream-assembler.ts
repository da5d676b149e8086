/**
 * One streamed response, chunk by chunk, turned into endure's model events. It
 * reads every server's chunk shape at once: reasoning from `reasoning_content` or
 * `reasoning` or inline `<think>` text, tool calls from `tool_calls` fragments or
 * from text markup, usage from whichever chunk carries it. Chunks are read
 * defensively (explicit nulls, missing fields) because servers differ; nothing
 * here throws except for a stream that ends without a finish reason.
 */
import { ModelError } from '../shared/errors.js';
import type { FinishReason, ModelEvent, ParsedToolCall, ToolSpec, Usage } from './types.js';
import { ThinkSplitter, type TextKind } from './think-splitter.js';
import { ToolCallFragments, type ToolCallFragment } from './tool-call-fragments.js';
import { ToolMarkupScanner } from './tool-markup-scanner.js';
import { parseTextToolCalls } from './text-tool-calls.js';

export interface AssemblerOptions {
  tools: readonly ToolSpec[];
  /** The model thinks and its prompt opened `<think>`: text before `</think>` is reasoning. */
  expectClosingThink: boolean;
  /** Named in the incomplete-stream error. */
  baseURL: string;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function readUsage(raw: Json, timings: Json | undefined): Usage | undefined {
  const prompt = count(raw['prompt_tokens']);
  const completion = count(raw['completion_tokens']);
  if (prompt === undefined && completion === undefined) return undefined;
  const cached = count(record(raw['prompt_tokens_details'])?.['cached_tokens']) ?? count(timings?.['cache_n']);
  const reasoning = count(record(raw['completion_tokens_details'])?.['reasoning_tokens']);
  // llama-server: `prompt_n` is what it processed now (cache_n + prompt_n = prompt_tokens).
  const prefilled = count(timings?.['prompt_n']) ?? (prompt !== undefined && cached !== undefined ? Math.max(0, prompt - cached) : undefined);
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    ...(cached === undefined ? {} : { cachedTokens: cached }),
    ...(prefilled === undefined ? {} : { prefilledTokens: prefilled }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  };
}

export class StreamAssembler {
  /** Events ready to yield; the client drains this after each chunk. */
  readonly events: ModelEvent[] = [];
  private readonly content: string[] = [];
  private readonly reasoning: string[] = [];
  private readonly fragments = new ToolCallFragments();
  private readonly splitter: ThinkSplitter;
  private readonly scanner: ToolMarkupScanner;
  private usage: Usage | undefined;
  private rawFinish: string | undefined;
  private serverReasoning = false;

  constructor(private readonly options: AssemblerOptions) {
    this.scanner = new ToolMarkupScanner((text) => this.emit('content', text));
    this.splitter = new ThinkSplitter((kind, text) => {
      if (kind === 'reasoning') this.emit('reasoning', text);
      else this.scanner.push(text);
    }, options.expectClosingThink);
  }

  /** A finish reason arrived: what follows (usage, [DONE]) is optional. */
  get finished(): boolean {
    return this.rawFinish !== undefined;
  }

  push(chunk: unknown): void {
    const data = record(chunk);
    if (!data) return;
    const usage = record(data['usage']);
    if (usage) this.usage = readUsage(usage, record(data['timings'])) ?? this.usage;
    const choices = data['choices'];
    if (!Array.isArray(choices)) return;
    for (const item of choices) {
      const choice = record(item);
      if (!choice || (typeof choice['index'] === 'number' && choice['index'] !== 0)) continue;
      const delta = record(choice['delta']);
      if (delta) this.pushDelta(delta);
      const finish = choice['finish_reason'];
      if (typeof finish === 'string' && finish !== '') this.rawFinish = finish;
    }
  }

  private pushDelta(delta: Json): void {
    const reasoning = delta['reasoning'];
    const reasoningContent = delta['reasoning_content'];
    const thought = typeof reasoning === 'string' && reasoning !== '' ? reasoning : reasoningContent;
    if (typeof thought === 'string' && thought !== '') {
      if (!this.serverReasoning) {
        this.serverReasoning = true;
        this.splitter.serverParsesReasoning();
      }
      this.emit('reasoning', thought);
    }
    const content = delta['content'];
    if (typeof content === 'string' && content !== '') this.splitter.push(content);
    const toolCalls = delta['tool_calls'];
    if (Array.isArray(toolCalls)) {
      for (const fragment of toolCalls) {
        const value = record(fragment);
        if (value) this.fragments.push(value as ToolCallFragment);
      }
    }
  }

  private emit(kind: TextKind, text: string): void {
    if (kind === 'reasoning') this.reasoning.push(text);
    else this.content.push(text);
    this.events.push({ type: kind, text });
  }

  /** The stream ended: flush held text, parse calls, and queue usage and finish. */
  complete(): void {
    if (this.rawFinish === undefined) {
      throw new ModelError(
        'incomplete_stream',
        `the response from the model server at ${this.options.baseURL} ended without a finish reason; retry the turn or check the server log`,
        { retryable: true },
      );
    }
    if (this.rawFinish === 'error') {
      throw new ModelError('stream_error', `the model server at ${this.options.baseURL} ended the response with finish_reason "error"; retry the turn`, {
        retryable: true,
      });
    }
    const truncated = this.rawFinish === 'length';
    this.splitter.end();
    const markup = this.scanner.end();
    const calls: ParsedToolCall[] = this.fragments.finish(truncated);
    if (markup !== '') {
      const parsed = parseTextToolCalls(markup, this.options.tools, truncated);
      if (parsed.prose !== '') this.emit('content', parsed.prose);
      calls.push(...parsed.calls);
    }
    for (const call of calls) this.events.push({ type: 'tool_call', call });
    if (this.usage) this.events.push({ type: 'usage', usage: this.usage });
    const reasoning = this.reasoning.join('');
    this.events.push({
      type: 'finish',
      reason: finishReason(this.rawFinish, calls.length > 0),
      message: {
        role: 'assistant',
        content: this.content.join(''),
        ...(reasoning === '' ? {} : { reasoning }),
        ...(calls.length === 0
          ? {}
          : {
              tool_calls: calls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }),
      },
      toolCalls: calls,
    });
  }
}

function finishReason(raw: string, hasCalls: boolean): FinishReason {
  if (hasCalls) return 'tool_calls';
  switch (raw) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
