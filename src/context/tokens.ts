/**
 * Token accounting without a tokenizer in the hot path: the exact prompt size
 * comes from each response's usage, and what was added since is estimated from
 * its characters with a ratio calibrated against that same usage. A Qwen3
 * tokenizer would be wrong for Qwen3.5/3.6 (another vocabulary), and the
 * server's own count arrives with every response anyway.
 */

/** Characters per token before any calibration (code and English prose under Qwen's vocabularies). */
export const DEFAULT_CHARS_PER_TOKEN = 3.2;

export class TokenEstimator {
  private charsPerToken = DEFAULT_CHARS_PER_TOKEN;
  /** Exact tokens of the conversation at the last response, and its size in characters then. */
  private exactTokens = 0;
  private charsAtExact = 0;

  /**
   * Records a response's usage for a request of `requestChars` characters
   * (prompt tokens + completion tokens = the conversation now, with the answer).
   */
  observe(promptTokens: number, completionTokens: number, requestChars: number, charsNow: number): void {
    if (promptTokens > 0 && requestChars > 0) {
      // Bound, then smooth: one odd response (a cached prefix reported oddly) must not swing the estimate.
      const measured = Math.min(8, Math.max(1.5, requestChars / promptTokens));
      this.charsPerToken = 0.7 * this.charsPerToken + 0.3 * measured;
    }
    this.exactTokens = promptTokens + completionTokens;
    this.charsAtExact = charsNow;
  }

  /** Tokens of a conversation of `charsNow` characters: exact part plus an estimate of what was added. */
  estimate(charsNow: number): number {
    if (charsNow < this.charsAtExact) return Math.ceil(charsNow / this.charsPerToken);
    return this.exactTokens + Math.ceil((charsNow - this.charsAtExact) / this.charsPerToken);
  }

  /** Forget the exact anchor (after a compaction the conversation changed shape). */
  reset(): void {
    this.exactTokens = 0;
    this.charsAtExact = 0;
  }

  tokensFor(chars: number): number {
    return Math.ceil(chars / this.charsPerToken);
  }

  get ratio(): number {
    return this.charsPerToken;
  }
}
