/**
 * The few runtime error classes of endure. A tool failure is a *result* the model
 * reads; everything here is a runtime failure that throws. Each class carries a
 * stable `code` (for scripts and tests) and the original `cause`, and its
 * `message` is one line that says what happened and what to do.
 */

export type ModelErrorCode =
  | 'context_overflow'
  | 'rate_limit'
  | 'unavailable'
  | 'stream_error'
  | 'incomplete_stream'
  | 'auth'
  | 'bad_request'
  | 'aborted'
  | 'unknown';

export class EndureError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure talking to the model endpoint. `retryable` drives the backoff loop. */
export class ModelError extends EndureError {
  declare readonly code: ModelErrorCode;
  constructor(
    code: ModelErrorCode,
    message: string,
    readonly details: {
      status?: number;
      retryable?: boolean;
      /** Milliseconds the server asked us to wait (Retry-After). */
      retryAfterMs?: number;
      /** For context_overflow: the window the server reported, when it did. */
      contextWindow?: number;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { cause: details.cause });
  }
  get retryable(): boolean {
    return this.details.retryable ?? false;
  }
}

/** A tool server could not be started, crashed, or broke the protocol. */
export class ToolServerError extends EndureError {}

/** The chosen sandbox cannot start or confine; never silently bypassed. */
export class SandboxError extends EndureError {}

/** The session journal is unreadable, locked by another process, or unwritable. */
export class JournalError extends EndureError {}

/** A config file, flag or environment variable is invalid (exit code 2). */
export class ConfigError extends EndureError {}

/** One line for the terminal: never a stack trace unless asked for. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
