/**
 * `${VAR}` and `${VAR:-default}` expansion in MCP server config values, the way
 * Claude Code and Gemini CLI read `.mcp.json`. Only the braced forms expand; a
 * bare `$VAR` stays as it is, so shell snippets in args are left alone.
 */

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `${VAR}` with no default whose variable is not set. */
export class MissingVariableError extends Error {
  constructor(readonly variable: string) {
    super(`\${${variable}} is not set; export it or write \${${variable}:-default}`);
  }
}

export function expandString(value: string, env: Record<string, string | undefined>): string {
  return value.replace(PATTERN, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    if (found !== undefined) return found;
    throw new MissingVariableError(name);
  });
}

/**
 * Expands every string inside a JSON value. `onError` receives the path of the
 * value that failed so the caller can name the key.
 */
export function expandDeep(
  value: unknown,
  env: Record<string, string | undefined>,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    try {
      return expandString(value, env);
    } catch (error) {
      if (error instanceof MissingVariableError) throw new ExpansionError(path, error);
      throw error;
    }
  }
  if (Array.isArray(value)) return value.map((item, index) => expandDeep(item, env, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandDeep(item, env, [...path, key])]),
    );
  }
  return value;
}

export class ExpansionError extends Error {
  constructor(
    readonly path: (string | number)[],
    override readonly cause: MissingVariableError,
  ) {
    super(cause.message);
  }
}
