/**
 * Qwen's recommended sampling per model family and thinking mode (from the model
 * cards; see shared/reference/qwen-wire.md section 2). For Qwen3.5/3.6 in thinking
 * mode the "precise coding" set is used, since endure's work is code. Anything
 * here can be overridden by config and flags.
 */

/** Sampling parameters in their wire names. `top_k`, `min_p`, `repetition_penalty` are extra body keys. */
export interface SamplingSettings {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  max_tokens?: number;
}

export type ModelFamily =
  | 'qwen3'
  | 'qwen3-thinking-2507'
  | 'qwen3-instruct-2507'
  | 'qwen3-coder'
  | 'qwen3.5'
  | 'qwen3.6'
  | 'other';

/** The family a model id belongs to, from its name (`Qwen/Qwen3.6-27B`, `qwen3-coder:30b`, `qwen3.6-plus`...). */
export function modelFamily(model: string): ModelFamily {
  const name = model.toLowerCase();
  if (!name.includes('qwen') && !name.includes('qwq')) return 'other';
  if (name.includes('coder')) return 'qwen3-coder';
  if (/qwen3[._]?6(?!\d)/.test(name)) return 'qwen3.6';
  if (/qwen3[._]?5(?!\d)/.test(name)) return 'qwen3.5';
  if (name.includes('thinking-2507')) return 'qwen3-thinking-2507';
  if (name.includes('instruct-2507')) return 'qwen3-instruct-2507';
  return 'qwen3';
}

/** Whether the model will think, given the requested mode: some families always or never do. */
export function familyThinks(family: ModelFamily, thinking: boolean): boolean {
  if (family === 'qwen3-coder' || family === 'qwen3-instruct-2507') return false;
  if (family === 'qwen3-thinking-2507') return true;
  return thinking;
}

/**
 * Whether a thinking model's prompt already opens `<think>`, so that a server that
 * does not parse reasoning shows only the closing tag in its text.
 */
export function promptOpensThink(family: ModelFamily, thinking: boolean): boolean {
  return familyThinks(family, thinking) && (family === 'qwen3-thinking-2507' || family === 'qwen3.5' || family === 'qwen3.6');
}

export function recommendedSampling(family: ModelFamily, thinking: boolean): SamplingSettings {
  const thinks = familyThinks(family, thinking);
  switch (family) {
    case 'qwen3':
      return thinks ? { temperature: 0.6, top_p: 0.95, top_k: 20, min_p: 0 } : { temperature: 0.7, top_p: 0.8, top_k: 20, min_p: 0 };
    case 'qwen3-thinking-2507':
      return { temperature: 0.6, top_p: 0.95, top_k: 20, min_p: 0 };
    case 'qwen3-instruct-2507':
      return { temperature: 0.7, top_p: 0.8, top_k: 20, min_p: 0 };
    case 'qwen3-coder':
      return { temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05 };
    case 'qwen3.5':
    case 'qwen3.6':
      return thinks
        ? { temperature: 0.6, top_p: 0.95, top_k: 20, min_p: 0, presence_penalty: 0 }
        : { temperature: 0.7, top_p: 0.8, top_k: 20, min_p: 0, presence_penalty: 1.5 };
    case 'other':
      return {};
    default: {
      const exhaustive: never = family;
      return exhaustive;
    }
  }
}

/** The model card's recommended output length; informative only (never sent unless asked). */
export function recommendedMaxOutput(family: ModelFamily): number | undefined {
  switch (family) {
    case 'qwen3-coder':
      return 65_536;
    case 'qwen3-instruct-2507':
      return 16_384;
    case 'other':
      return undefined;
    default:
      return 32_768;
  }
}
