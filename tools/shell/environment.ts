/**
 * The environment a shell command sees: the server's own, minus anything that
 * looks like a secret. A model running `env` or a curl must not see API keys or
 * tokens unless the user named them with --pass-env.
 */

/** Names that look like credentials: keys, tokens, secrets, passwords, auth, cookies, sessions. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE/i;

/** Dropped even if a future pattern change would let them through. */
const ALWAYS_SECRET = new Set(['ENDURE_API_KEY', 'OPENAI_API_KEY', 'DASHSCOPE_API_KEY']);

export function isSecretName(name: string): boolean {
  return ALWAYS_SECRET.has(name) || SECRET_NAME.test(name);
}

/**
 * A copy of `env` without secret-looking variables.
 * @param passEnv names kept even when they look like secrets
 */
export function filterEnvironment(env: NodeJS.ProcessEnv, passEnv: readonly string[] = []): Record<string, string> {
  const allowed = new Set(passEnv);
  const filtered: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isSecretName(name) && !allowed.has(name)) continue;
    filtered[name] = value;
  }
  return filtered;
}
