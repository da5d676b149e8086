/**
 * How long to keep trying a failing endpoint: exponential backoff (or the server's
 * Retry-After), all inside one time budget that starts at the first failure. The
 * policy only decides; the client yields the retry events and waits.
 */
import { ModelError } from '../shared/errors.js';

export interface RetryPolicyOptions {
  /** Total time for retries, from the first failure. @default 60000 */
  budgetMs?: number;
  /** First backoff delay; doubles per attempt. @default 500 */
  baseDelayMs?: number;
  /** Longest single backoff delay. @default 8000 */
  maxDelayMs?: number;
  now?: () => number;
}

export type RetryDecision = { retry: true; attempt: number; delayMs: number } | { retry: false; error: ModelError };

export class RetryPolicy {
  private attempt = 0;
  private firstFailureAt: number | undefined;
  private readonly budgetMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.budgetMs = options.budgetMs ?? 60_000;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether to try again after `failure`, and after how long. */
  next(failure: ModelError): RetryDecision {
    if (!failure.retryable) return { retry: false, error: failure };
    const now = this.now();
    this.firstFailureAt ??= now;
    const elapsed = now - this.firstFailureAt;
    const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** this.attempt);
    const delayMs = Math.max(0, Math.round(failure.details.retryAfterMs ?? backoff));
    if (elapsed + delayMs > this.budgetMs) return { retry: false, error: this.exhausted(failure, elapsed, delayMs) };
    this.attempt += 1;
    return { retry: true, attempt: this.attempt, delayMs };
  }

  private exhausted(failure: ModelError, elapsed: number, delayMs: number): ModelError {
    const tries = this.attempt + 1;
    const asked = failure.details.retryAfterMs !== undefined && delayMs > this.budgetMs - elapsed;
    const why = asked
      ? `the server asked to wait ${Math.ceil(delayMs / 1000)} s, beyond the ${Math.round(this.budgetMs / 1000)} s retry budget`
      : `gave up after ${tries} attempt${tries === 1 ? '' : 's'} in ${Math.round(elapsed / 1000)} s`;
    return new ModelError(failure.code, `${failure.message} (${why})`, { ...failure.details, retryable: false, cause: failure });
  }
}

/** Wait `ms`, or reject with an 'aborted' ModelError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new ModelError('aborted', 'the model request was aborted', { cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
