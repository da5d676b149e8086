/**
 * Keeps secrets out of the session directory. A Redactor is built from secret
 * values (API keys, auth header values, values of configured secret variables)
 * and replaces every occurrence with `[REDACTED]` in what is about to be
 * written: journal lines, blobs, the summary. With no secrets it costs one
 * boolean check; with secrets, one substring search per secret per line, and
 * more work only on the rare line that contains one.
 *
 * Values shorter than `minLength` are ignored: they would match ordinary text
 * (and numbers such as seq and time) and cannot be found reliably.
 */
import { JournalError } from '../src/shared/errors.js';

export const REDACTED = '[REDACTED]';

/** The variables whose values are secrets by default (cli.md, "API key"). */
export const SECRET_ENV_VARS: readonly string[] = ['ENDURE_API_KEY', 'OPENAI_API_KEY', 'DASHSCOPE_API_KEY'];

export interface RedactorOptions {
  /** Shorter values are not treated as secrets. @default 6 */
  minLength?: number;
}

export class Redactor {
  /**
   * The secrets and their JSON-escaped forms (once, twice, three times: a secret
   * in a string that holds JSON, such as tool-call arguments, is escaped again in
   * the line), longest first so a secret containing another is replaced whole.
   */
  private readonly patterns: readonly string[];

  constructor(secrets: Iterable<string | undefined> = [], options: RedactorOptions = {}) {
    const minLength = options.minLength ?? 6;
    const unique = new Set<string>();
    for (const value of secrets) if (value && value.length >= minLength) unique.add(value);
    const patterns = new Set<string>();
    for (const secret of unique) {
      let form = secret;
      for (let depth = 0; depth < 4; depth++) {
        patterns.add(form);
        form = JSON.stringify(form).slice(1, -1);
      }
    }
    this.patterns = [...patterns].sort((a, b) => b.length - a.length);
  }

  /** A redactor for the values of `names` (default: the API key variables) in `env`, plus `extra` values. */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    names: readonly string[] = SECRET_ENV_VARS,
    extra: Iterable<string> = [],
    options?: RedactorOptions,
  ): Redactor {
    return new Redactor([...names.map((name) => env[name]), ...extra], options);
  }

  /** False when there is nothing to redact (the fast path). */
  get active(): boolean {
    return this.patterns.length > 0;
  }

  /** True when `text` (plain or JSON-serialized) contains a secret. */
  foundIn(text: string): boolean {
    for (const pattern of this.patterns) if (text.includes(pattern)) return true;
    return false;
  }

  /** `text` with every secret (plain or JSON-escaped) replaced. */
  redact(text: string): string {
    let out = text;
    for (const pattern of this.patterns) if (out.includes(pattern)) out = out.replaceAll(pattern, REDACTED);
    return out;
  }

  /** A copy of `value` with every secret in its strings (keys included) replaced; numbers and booleans are kept. */
  redactValue<T>(value: T): T {
    return this.walk(value) as T;
  }

  /**
   * `value` serialized as JSON with no secret in it. Returns the value that was
   * serialized (a redacted copy when a secret was found) and its JSON text.
   */
  serialize<T>(value: T): { value: T; json: string } {
    const json = JSON.stringify(value);
    if (!this.active || !this.foundIn(json)) return { value, json };
    const clean = this.redactValue(value);
    const cleanJson = JSON.stringify(clean);
    if (this.foundIn(cleanJson)) {
      throw new JournalError(
        'secret_in_record',
        'a secret value appears in the structure of a journal record (not in a string), so it cannot be redacted; use a longer, random secret',
      );
    }
    return { value: clean, json: cleanJson };
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.redact(key)] = this.walk(item);
      return out;
    }
    return value;
  }
}
