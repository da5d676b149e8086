/**
 * Token counts of responses, summed. "Prefilled" is what the server had to
 * process of a prompt (llama-server's `timings.prompt_n`): on a local server it
 * is the wait before the first new token, so endure counts it per turn.
 */
import type { Usage } from './types.js';

export interface UsageSums {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  prefilledTokens?: number;
}

/** Prompt tokens the server processed: reported, else the prompt less what it said was cached. */
export function prefilledOf(usage: Usage): number {
  return usage.prefilledTokens ?? Math.max(0, usage.promptTokens - (usage.cachedTokens ?? 0));
}

export function addUsage(sums: UsageSums, usage: Usage): void {
  sums.promptTokens += usage.promptTokens;
  sums.completionTokens += usage.completionTokens;
  sums.cachedTokens += usage.cachedTokens ?? 0;
  sums.prefilledTokens = (sums.prefilledTokens ?? 0) + prefilledOf(usage);
}
