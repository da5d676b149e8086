/**
 * Tool-call arguments as the model wrote them, turned into what history may carry:
 * a JSON object string. Valid input is kept byte-identical (the server's prefix
 * cache and the model's own view of its past depend on it); malformed input is
 * repaired when the repair yields an object, otherwise it becomes an error the
 * model reads, with `{}` in history so the server never sees invalid JSON.
 */
import { jsonrepair } from 'jsonrepair';

export interface ToolArguments {
  /** The JSON object string for history. */
  arguments: string;
  args: Record<string, unknown>;
  argumentError?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(reason: string): ToolArguments {
  return { arguments: '{}', args: {}, argumentError: `arguments were not valid JSON: ${reason}; send a single JSON object` };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Options for {@link parseToolArguments}. */
export interface ParseArgumentsOptions {
  /**
   * The output was cut at the token limit: a repair would silently truncate a value
   * (half a file written), so unparseable arguments are refused instead.
   * @default false
   */
  truncated?: boolean;
}

/** Parse, repair or refuse one call's raw argument text. Never throws. */
export function parseToolArguments(raw: string, options: ParseArgumentsOptions = {}): ToolArguments {
  if (raw.trim() === '') return { arguments: '{}', args: {} };
  const parsed = tryParse(raw);
  if (parsed.ok) {
    if (isPlainObject(parsed.value)) return { arguments: raw, args: parsed.value };
    if (typeof parsed.value === 'string') {
      const inner = tryParse(parsed.value);
      if (inner.ok && isPlainObject(inner.value)) return { arguments: parsed.value, args: inner.value };
    }
    return failure(`expected a JSON object, got ${Array.isArray(parsed.value) ? 'an array' : typeof parsed.value}`);
  }
  const excerpt = raw.length > 60 ? `${raw.slice(0, 60)}...` : raw;
  if (options.truncated) {
    return {
      arguments: '{}',
      args: {},
      argumentError: `arguments were not valid JSON: the output was cut off at the token limit (${JSON.stringify(excerpt)}); send a shorter call`,
    };
  }
  try {
    const repaired = jsonrepair(raw);
    const value = JSON.parse(repaired) as unknown;
    if (isPlainObject(value)) return { arguments: repaired, args: value };
  } catch {
    // fall through to the refusal below
  }
  return failure(`${parsed.message} in ${JSON.stringify(excerpt)}`);
}

/** Arguments built by a text parser from typed values: always valid. */
export function argumentsFromObject(args: Record<string, unknown>): ToolArguments {
  return { arguments: JSON.stringify(args), args };
}
