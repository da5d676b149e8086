/**
 * How a command's end reads for the model (`exit code: 1`, `killed by signal
 * SIGKILL`, `timed out after 5 s ...`) and for programs (structuredContent),
 * shared by run_shell, job_output and job_kill so all three say it the same way.
 */
import type { CommandOutcome } from './run-command.js';

/** The machine-readable end of a command, as placed in structuredContent. */
export type OutcomeFields = {
  exitCode: number | null;
  signal: string | null;
  /** Who stopped it: `timeout`, `cancelled`, `killed` (job_kill) or `server-closed`; null when it ended on its own. */
  stoppedBy: string | null;
};

export function outcomeFields(outcome: CommandOutcome): OutcomeFields {
  const { end } = outcome;
  return {
    exitCode: end.kind === 'exited' ? end.exitCode : null,
    signal: end.kind === 'signaled' ? end.signal : null,
    stoppedBy: outcome.stoppedBy ?? null,
  };
}

function describeEnd(outcome: CommandOutcome): string {
  const { end } = outcome;
  switch (end.kind) {
    case 'exited':
      return `exit code: ${end.exitCode}`;
    case 'signaled':
      return `killed by signal ${end.signal}`;
    case 'failed-to-start':
      return `could not start: ${end.message}`;
    default: {
      const unknown: never = end;
      return String(unknown);
    }
  }
}

/** One line; `timeoutSeconds` is named when the stop was a timeout. */
export function describeOutcome(outcome: CommandOutcome, timeoutSeconds?: number): string {
  const end = describeEnd(outcome);
  switch (outcome.stoppedBy) {
    case undefined:
      return end;
    case 'timeout':
      return `timed out after ${timeoutSeconds} s; its process group was killed (${end}). Use a larger timeout, or background: true for long-running commands`;
    case 'cancelled':
      return `cancelled by the client; its process group was killed (${end})`;
    case 'killed':
      return `stopped by job_kill (${end})`;
    case 'server-closed':
      return `stopped because the shell server closed (${end})`;
    default: {
      const unknown: never = outcome.stoppedBy;
      return String(unknown);
    }
  }
}
