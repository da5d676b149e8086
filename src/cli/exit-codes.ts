/**
 * Exit codes scripts rely on (cli.md), mapped in one place.
 */
import type { EndStatus } from '../agent/events.js';
import { ConfigError } from '../shared/errors.js';

export const EXIT = { done: 0, failed: 1, usage: 2, budget: 3, interrupted: 130 } as const;

export function exitCodeFor(status: EndStatus): number {
  return EXIT[status];
}

export function exitCodeForError(error: unknown): number {
  return error instanceof ConfigError ? EXIT.usage : EXIT.failed;
}
