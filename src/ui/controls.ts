/**
 * What the keys of the UI reach: the interactive session controller, or the replay
 * player. Components call these and draw the store; they never run the loop.
 */
import type { Key } from 'ink';
import type { ApprovalDecision, ApprovalRequest } from '../agent/controls.js';
import type { CustomCommand } from '../context/custom-commands.js';

export interface UiControls {
  /** Enter in the prompt box: a task, a follow-up, or (while the agent works) a steering message. */
  submit(text: string): void;
  /** Esc. */
  interrupt(): void;
  /** Ctrl+C (and `q` when the prompt box is off). */
  quitKey(): void;
  /** y / n / a while an approval is on screen. */
  answer(decision: ApprovalDecision): void;
  /** What an "always" for this request would cover, shown beside the `a` key; undefined: not offered. */
  describeAlways(request: ApprovalRequest): string | undefined;
  /** Esc twice on an empty prompt while idle: opens /rewind (absent where there is nothing to rewind, as in replay). */
  openRewind?(): void;
  /** A key while /rewind is on screen. */
  rewindKey?(input: string, key: Key): void;
  /** False when there is no prompt box (replay). */
  readonly acceptsInput: boolean;
  /** Custom commands, for completion after `/`. */
  readonly customCommands?: readonly CustomCommand[];
  /** Tab completion of `@path`: the entries of a workspace directory (relative to it). */
  readonly listDirectory?: (relativeDir: string) => string[];
  /** Where "now" comes from: the wall clock (live) or the last event's time (replay). */
  readonly clock: 'wall' | 'events';
}
