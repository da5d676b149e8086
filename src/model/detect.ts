/**
 * Which server is behind a base URL, and what it says about itself. Detection
 * looks at the host first (Model Studio, OpenRouter), then at `/v1/models`
 * (`owned_by`, vLLM's `max_model_len`), then at llama-server's `/props`. The pure
 * functions here read already-fetched JSON; `probeEndpoint` does the fetching.
 */
import { z } from 'zod';
import type { ServerKind } from './types.js';
import { errorFromStatus, toModelError, type ErrorContext } from './errors.js';

const ModelsList = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      owned_by: z.string().nullish(),
      max_model_len: z.number().nullish(),
      meta: z.looseObject({}).nullish(),
    }),
  ),
});

const LlamaProps = z.looseObject({
  n_ctx: z.number().nullish(),
  default_generation_settings: z.looseObject({ n_ctx: z.number().nullish() }).nullish(),
  total_slots: z.number().nullish(),
  build_info: z.string().nullish(),
});

/** What GET /v1/models and GET /props returned (unknown JSON, validated here). */
export interface EndpointProbe {
  models?: unknown;
  props?: unknown;
}

export function detectServerFromURL(baseURL: string): ServerKind | undefined {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if (host.includes('dashscope') || host.includes('aliyuncs.com') || host.includes('modelstudio')) return 'dashscope';
  if (host === 'openrouter.ai' || host.endsWith('.openrouter.ai')) return 'openrouter';
  return undefined;
}

function detectFromModels(models: unknown): ServerKind | undefined {
  const parsed = ModelsList.safeParse(models);
  if (!parsed.success) return undefined;
  for (const entry of parsed.data.data) {
    const owner = entry.owned_by?.toLowerCase() ?? '';
    if (owner === 'llamacpp' || owner === 'llama.cpp') return 'llama';
    if (owner === 'vllm') return 'vllm';
    if (owner === 'sglang') return 'sglang';
    if (owner === 'library' || owner === 'ollama') return 'ollama';
    if (entry.meta && 'n_ctx_train' in entry.meta) return 'llama';
    if (typeof entry.max_model_len === 'number') return 'vllm';
  }
  return undefined;
}

function isLlamaProps(props: unknown): boolean {
  const parsed = LlamaProps.safeParse(props);
  return parsed.success && (parsed.data.default_generation_settings != null || parsed.data.total_slots != null);
}

/** The server kind, from the base URL and whatever the probe found; undefined when nothing says. */
export function detectServer(baseURL: string, probe: EndpointProbe = {}): ServerKind | undefined {
  const fromURL = detectServerFromURL(baseURL);
  if (fromURL) return fromURL;
  const fromModels = detectFromModels(probe.models);
  if (fromModels) return fromModels;
  if (isLlamaProps(probe.props)) return 'llama';
  try {
    if (new URL(baseURL).port === '11434') return 'ollama';
  } catch {
    return undefined;
  }
  return undefined;
}

/** The first model id the server lists. */
export function firstModel(models: unknown): string | undefined {
  const parsed = ModelsList.safeParse(models);
  return parsed.success ? parsed.data.data[0]?.id : undefined;
}

/** The context window the server reports: llama-server's per-slot `n_ctx`, or `max_model_len` (vLLM, SGLang). */
export function reportedContextWindow(probe: EndpointProbe, model?: string): number | undefined {
  const props = LlamaProps.safeParse(probe.props);
  if (props.success) {
    const nCtx = props.data.default_generation_settings?.n_ctx ?? props.data.n_ctx;
    if (typeof nCtx === 'number' && nCtx > 0) return nCtx;
  }
  const models = ModelsList.safeParse(probe.models);
  if (models.success) {
    const entry = models.data.data.find((candidate) => candidate.id === model) ?? models.data.data[0];
    if (typeof entry?.max_model_len === 'number' && entry.max_model_len > 0) return entry.max_model_len;
  }
  return undefined;
}

/** The server root for non-OpenAI routes such as `/props`: the base URL without its `/v1`. */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export interface FetchJsonOptions extends ErrorContext {
  fetch: typeof fetch;
  apiKey?: string;
  signal?: AbortSignal;
}

/** GET a JSON document; throws a ModelError (typed like any endpoint failure) when it cannot. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  try {
    const response = await options.fetch(url, {
      headers: { accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    if (!response.ok) throw errorFromStatus(response.status, body, response.headers, options);
    return body;
  } catch (error) {
    throw toModelError(error, options, options.signal);
  }
}
