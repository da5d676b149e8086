/**
 * The one result object `endure exec --output-format json|stream-json` ends
 * with (cli.md), built from the loop's outcome or from whatever stopped the run
 * before or outside the loop: a bad flag, a bad config, a dead endpoint, a full
 * disk, an exception. A CI job parses stdout; it must always find the object.
 */
import type { ConversationState } from '../agent/fold.js';
import { oneLine } from '../shared/errors.js';
import type { ExecResult, OutputFormat } from '../ui/headless/printers.js';

/** What is known of the session when the run stops: nothing before one opened. */
export interface SessionSoFar {
  id: string;
  state: Pick<ConversationState, 'turns' | 'toolCalls' | 'usage'>;
}

export function resultOf(
  session: SessionSoFar | undefined,
  outcome: { status: ExecResult['status']; result: string; error?: string },
  startedAt: number,
): ExecResult {
  const state = session?.state;
  return {
    session_id: session?.id ?? null,
    status: outcome.status,
    result: outcome.result,
    turns: state?.turns ?? 0,
    tool_calls: state?.toolCalls ?? 0,
    usage: {
      prompt_tokens: state?.usage.promptTokens ?? 0,
      completion_tokens: state?.usage.completionTokens ?? 0,
      cached_tokens: state?.usage.cachedTokens ?? 0,
      prefilled_tokens: state?.usage.prefilledTokens ?? 0,
    },
    duration_ms: Date.now() - startedAt,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  };
}

/** The result of a run that an error stopped (the exit code comes from the error: 2 for config, else 1). */
export function failedResult(error: unknown, session: SessionSoFar | undefined, startedAt: number, lastAnswer = ''): ExecResult {
  return resultOf(session, { status: 'failed', result: lastAnswer, error: oneLine(error).replace(/^error: /, '') }, startedAt);
}

/**
 * The output format asked for on an `exec` command line that commander could
 * not parse (so no parsed flags exist): `--output-format X` or `--output-format=X`
 * before a `--`. Only the formats that promise an object count.
 */
export function objectFormatIn(execArgs: readonly string[]): Exclude<OutputFormat, 'text'> | undefined {
  let format: string | undefined;
  for (let i = 0; i < execArgs.length; i++) {
    const word = execArgs[i]!;
    if (word === '--') break;
    if (word === '--output-format') format = execArgs[++i];
    else if (word.startsWith('--output-format=')) format = word.slice('--output-format='.length);
  }
  return format === 'json' || format === 'stream-json' ? format : undefined;
}
