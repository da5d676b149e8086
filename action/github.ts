/**
 * The files and workflow commands a GitHub Actions step talks through:
 * GITHUB_OUTPUT (step outputs), GITHUB_STEP_SUMMARY (the job summary) and
 * `::add-mask::` / `::error::` lines on stdout. Kept apart so the action's
 * logic never formats these by hand.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** Sets a step output; multi-line values use the heredoc form with a delimiter no value contains. */
export function setOutput(name: string, value: string | number, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  const text = String(value);
  let delimiter = `ENDURE_${randomBytes(8).toString('hex')}`;
  while (text.includes(delimiter)) delimiter = `ENDURE_${randomBytes(8).toString('hex')}`;
  appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`);
}

export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

/** Hides a secret in every later log line (each line of a multi-line one). */
export function mask(secret: string): void {
  for (const line of secret.split(/\r?\n/)) if (line.trim()) process.stdout.write(`::add-mask::${line}\n`);
}

/** An error annotation on the run, one line. */
export function annotateError(message: string): void {
  process.stdout.write(`::error::${message.replace(/\r?\n/g, ' ')}\n`);
}
