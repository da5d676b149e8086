/**
 * What differs between servers on the way out: the switch that turns thinking on
 * or off, the sampling keys each one honours, and the message field it reads past
 * reasoning from (qwen-wire.md sections 2 and 3). The way back (reasoning fields,
 * tool-call shapes) is tolerant of every server at once and needs no preset.
 */
import type { ServerKind } from './types.js';
import type { SamplingSettings } from './sampling.js';

export interface ThinkingOptions {
  thinking: boolean;
  /** Keep every past turn's reasoning (Qwen3.6 `preserve_thinking`). */
  preserveThinking?: boolean;
  /** DashScope only: cap on reasoning tokens. */
  thinkingBudget?: number;
}

export interface ServerPreset {
  readonly kind: ServerKind;
  /** Assistant-message fields the server reads past reasoning from. */
  readonly historyReasoningFields: readonly ('reasoning_content' | 'reasoning')[];
  /** Sampling keys the server honours, with the wire name it reads them under. */
  readonly samplingKeys: Partial<Record<keyof SamplingSettings, string>>;
  thinkingBody(options: ThinkingOptions): Record<string, unknown>;
}

const STANDARD = { temperature: 'temperature', top_p: 'top_p', presence_penalty: 'presence_penalty', max_tokens: 'max_tokens' } as const;

function templateKwargs({ thinking, preserveThinking }: ThinkingOptions): Record<string, unknown> {
  return {
    chat_template_kwargs: { enable_thinking: thinking, ...(preserveThinking ? { preserve_thinking: true } : {}) },
  };
}

const PRESETS: Record<ServerKind, ServerPreset> = {
  llama: {
    kind: 'llama',
    historyReasoningFields: ['reasoning_content'],
    samplingKeys: { ...STANDARD, top_k: 'top_k', min_p: 'min_p', repetition_penalty: 'repeat_penalty' },
    thinkingBody: templateKwargs,
  },
  vllm: {
    kind: 'vllm',
    // vLLM >= 0.20 reads `reasoning`, older builds `reasoning_content`: send both.
    historyReasoningFields: ['reasoning', 'reasoning_content'],
    samplingKeys: { ...STANDARD, top_k: 'top_k', min_p: 'min_p', repetition_penalty: 'repetition_penalty' },
    thinkingBody: templateKwargs,
  },
  sglang: {
    kind: 'sglang',
    historyReasoningFields: ['reasoning_content'],
    samplingKeys: { ...STANDARD, top_k: 'top_k', min_p: 'min_p', repetition_penalty: 'repetition_penalty' },
    thinkingBody: templateKwargs,
  },
  ollama: {
    kind: 'ollama',
    historyReasoningFields: ['reasoning'],
    // Ollama's /v1 drops top_k and min_p (set them in a Modelfile instead).
    samplingKeys: { ...STANDARD },
    thinkingBody: ({ thinking }) => (thinking ? {} : { reasoning_effort: 'none' }),
  },
  dashscope: {
    kind: 'dashscope',
    historyReasoningFields: ['reasoning_content'],
    samplingKeys: { ...STANDARD, top_k: 'top_k', repetition_penalty: 'repetition_penalty' },
    thinkingBody: ({ thinking, preserveThinking, thinkingBudget }) => ({
      enable_thinking: thinking,
      ...(thinking && thinkingBudget !== undefined ? { thinking_budget: thinkingBudget } : {}),
      ...(preserveThinking ? { preserve_thinking: true } : {}),
    }),
  },
  openrouter: {
    kind: 'openrouter',
    historyReasoningFields: ['reasoning'],
    samplingKeys: { ...STANDARD, top_k: 'top_k', min_p: 'min_p', repetition_penalty: 'repetition_penalty' },
    thinkingBody: ({ thinking }) => (thinking ? {} : { reasoning: { effort: 'none' } }),
  },
};

export function serverPreset(kind: ServerKind): ServerPreset {
  return PRESETS[kind];
}

/** The sampling part of a request body, in the server's key names, without keys it ignores. */
export function samplingBody(preset: ServerPreset, settings: SamplingSettings): Record<string, number> {
  const body: Record<string, number> = {};
  for (const key of Object.keys(settings) as (keyof SamplingSettings)[]) {
    const wire = preset.samplingKeys[key];
    const value = settings[key];
    if (wire && typeof value === 'number') body[wire] = value;
  }
  return body;
}
