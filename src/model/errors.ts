/**
 * Every failure of the endpoint becomes a ModelError here, and only here: HTTP
 * statuses, the error bodies of each server, mid-stream `data: {"error"}` events,
 * dropped connections and aborts. Each message is one line that says what happened
 * and what to do, and names the base URL when the server could not be reached.
 */
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { ModelError, oneLine } from '../shared/errors.js';

export interface ErrorContext {
  baseURL: string;
  /** The environment variable the API key came from, named in auth errors. */
  apiKeyVariable?: string;
  model?: string;
}

const OVERFLOW_PATTERNS: readonly RegExp[] = [
  /available context size \((\d+) tokens\)/i,
  /maximum context length (?:is|of) (\d+)/i,
  /longer than the model's context length \((\d+) tokens\)/i,
  /Range of input length should be \[1, ?(\d+)\]/i,
  /context length (?:of|is) (\d+)/i,
  /context (?:length|size|window) \((\d+)(?: tokens)?\)/i,
  /exceeds? (?:the )?(?:maximum |max |available )?context (?:length|size|window)/i,
  /prompt is too long/i,
  /context window/i,
];

/** The window a context-overflow message states (or undefined) when the text is one; false otherwise. */
export function detectOverflow(message: string, body?: unknown): { contextWindow?: number } | false {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const typed = record['type'] === 'exceed_context_size_error';
  for (const pattern of OVERFLOW_PATTERNS) {
    const match = pattern.exec(message);
    if (match) {
      const window = match[1] ? Number(match[1]) : typeof record['n_ctx'] === 'number' ? record['n_ctx'] : undefined;
      return window === undefined ? {} : { contextWindow: window };
    }
  }
  if (typed) return typeof record['n_ctx'] === 'number' ? { contextWindow: record['n_ctx'] } : {};
  return false;
}

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function serverMessage(body: unknown, fallback: string): string {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const inner = record?.['error'];
  const message =
    typeof inner === 'string'
      ? inner
      : typeof record?.['message'] === 'string'
        ? record['message']
        : typeof inner === 'object' && inner !== null && typeof (inner as Record<string, unknown>)['message'] === 'string'
          ? ((inner as Record<string, unknown>)['message'] as string)
          : fallback;
  const line = oneLine(message);
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

function overflowError(text: string, window: { contextWindow?: number }, status: number | undefined, cause: unknown) {
  const size = window.contextWindow ? ` of ${window.contextWindow} tokens` : '';
  return new ModelError(
    'context_overflow',
    `the request does not fit the model's context window${size} (server: "${text}"); compact the conversation or give the server a larger context`,
    { status, retryable: false, cause, ...window },
  );
}

/** Map an HTTP error response (status, parsed body, headers) to a ModelError. */
export function errorFromStatus(
  status: number,
  body: unknown,
  headers: Headers | undefined,
  context: ErrorContext,
  cause?: unknown,
): ModelError {
  const text = serverMessage(body, `HTTP ${status}`);
  const where = `the model server at ${context.baseURL}`;
  const overflow = status === 400 || status === 413 || status >= 500 ? detectOverflow(text, body) : false;
  if (overflow) return overflowError(text, overflow, status, cause);
  if (status === 401 || status === 403) {
    const variable = context.apiKeyVariable ?? 'ENDURE_API_KEY';
    return new ModelError('auth', `${where} refused the API key (${status}: ${text}); set ${variable} to a valid key`, {
      status,
      cause,
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(headers);
    return new ModelError('rate_limit', `${where} is rate limiting requests (429: ${text}); wait and try again`, {
      status,
      retryable: true,
      cause,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    const wait = retryAfterMs(headers);
    return new ModelError('unavailable', `${where} failed (${status}: ${text}); check the server and its log`, {
      status,
      retryable: true,
      cause,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (status === 404) {
    return new ModelError('bad_request', `${where} answered 404 (${text}); check --model and --base-url (it usually ends in /v1)`, {
      status,
      cause,
    });
  }
  return new ModelError('bad_request', `${where} rejected the request (${status}: ${text}); fix the request or the server options`, {
    status,
    cause,
  });
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

const UNREACHABLE_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/;

function isAbort(error: unknown): boolean {
  return error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError');
}

/** Map anything thrown while talking to the endpoint to a ModelError. */
export function toModelError(error: unknown, context: ErrorContext, signal?: AbortSignal): ModelError {
  if (error instanceof ModelError) return error;
  if (signal?.aborted || isAbort(error)) {
    return new ModelError('aborted', 'the model request was aborted', { cause: error });
  }
  const where = `the model server at ${context.baseURL}`;
  if (error instanceof APIConnectionError) {
    const codes = causeCodes(error.cause);
    const why = codes.find((code) => CONNECTION_CODES.test(code)) ?? oneLine(error.message);
    return new ModelError('unavailable', `cannot reach ${where} (${why}); start the server or fix --base-url`, {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof APIError) {
    if (typeof error.status === 'number') return errorFromStatus(error.status, error.error, error.headers, context, error);
    const text = serverMessage({ error: error.error }, oneLine(error.message));
    const overflow = detectOverflow(text, error.error);
    if (overflow) return overflowError(text, overflow, undefined, error);
    return new ModelError('stream_error', `${where} reported an error mid-stream ("${text}"); retry the turn or check the server log`, {
      retryable: true,
      cause: error,
    });
  }
  const codes = causeCodes(error);
  const code = codes.find((candidate) => CONNECTION_CODES.test(candidate));
  const message = error instanceof Error ? oneLine(error.message) : String(error);
  if ((code && UNREACHABLE_CODES.test(code)) || (error instanceof TypeError && /fetch failed/i.test(message))) {
    return new ModelError('unavailable', `cannot reach ${where} (${code ?? message}); start the server or fix --base-url`, {
      retryable: true,
      cause: error,
    });
  }
  if (code || (error instanceof TypeError && /terminated|network|socket/i.test(message))) {
    return new ModelError('unavailable', `the connection to ${where} broke mid-response (${code ?? message}); retry the turn or check the server`, {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ModelError('stream_error', `${where} sent a malformed stream event (${oneLine(error.message)}); retry the turn or check the server`, {
      retryable: true,
      cause: error,
    });
  }
  return new ModelError('unknown', `unexpected failure talking to ${where}: ${message}`, { cause: error });
}
