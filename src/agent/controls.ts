/**
 * How a person (or a policy) reaches into a running loop: approvals before a tool
 * runs, and steering messages injected at the next tool boundary. The UI provides
 * interactive versions; headless mode uses policies only and never waits.
 */

export interface ApprovalRequest {
  callId: string;
  /** Model-facing tool name. */
  tool: string;
  /** Parsed arguments. */
  args: Record<string, unknown>;
  /** One line: the exact command, or the file and kind of change. */
  summary: string;
  /** What the person must see to decide: the command, or a unified diff of the edit. */
  preview: string;
  /**
   * Exactly what an "always" would remember and enforce for the rest of the session,
   * as a person reads it (`run_shell \`npm test *\``). Absent when "always" is not offered.
   */
  always?: string;
  /** Why "always" is not offered (a substitution, eval, an unreadable command). */
  alwaysRefused?: string;
}

export type ApprovalDecision = 'yes' | 'no' | 'always';

/** Decides whether a call may run. Must honour the signal (resolve or reject when aborted). */
export type Approver = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalDecision>;

/** Messages a person typed while the agent worked, taken at the next tool boundary. */
export interface SteeringInbox {
  /** Returns and removes the queued messages (oldest first). */
  take(): string[];
}

/** A simple queue usable by the UI and by tests. */
export class SteeringQueue implements SteeringInbox {
  private queued: string[] = [];
  push(message: string): void {
    this.queued.push(message);
  }
  take(): string[] {
    const taken = this.queued;
    this.queued = [];
    return taken;
  }
  get size(): number {
    return this.queued.length;
  }
}

/**
 * What the interactive UI drives: one session, run one user message at a time.
 * The CLI builds it from the loop; the UI never imports the loop itself.
 */
export interface SessionDriver {
  readonly info: {
    sessionId: string;
    model: string;
    server: string;
    sandbox: string;
    workspace: string;
    /** The endpoint, for /status. */
    baseURL?: string;
    contextWindow?: number;
    /** Instruction files in the system prompt, for /status. */
    instructions?: string[];
    /** Budgets as configured, for the status bar's "budget left". */
    budgets: { maxTurns?: number; maxToolCalls?: number; maxTokens?: number; deadlineMs?: number };
  };
  /** Messages typed while the agent works; the loop takes them at the next tool boundary. */
  readonly steering: SteeringQueue;
  /**
   * Runs the loop on a new user message (the task, or a follow-up) until it stops.
   * Aborting the signal interrupts the current turn; the session stays resumable.
   */
  run(message: string, signal: AbortSignal, approver?: Approver): AsyncIterable<import('./events.js').AgentEvent>;
  /** Closes the journal and the tool servers. */
  close(): Promise<void>;
  /**
   * The session_start event, once, before the first run (so the first line is on
   * screen when the prompt box opens); undefined once it was given or run() gave it.
   */
  opening?(): import('./events.js').AgentEvent | undefined;
  /** What the UI's slash commands reach beyond runs (absent in tests that need none). */
  readonly commands?: SessionCommands;
}

/** A session listed by /sessions. */
export interface SessionListing {
  id: string;
  status: string;
  task: string;
  lastActivity: number;
}

/**
 * The session operations behind the UI's slash commands, implemented by the CLI
 * (which owns the runtime); the UI only calls them.
 */
export interface SessionCommands {
  /** Switches the approval policy for the rest of the session (calls already waiting keep theirs). */
  setApprovalPolicy(policy: 'ask' | 'auto' | 'deny'): void;
  /** The session's changes to the workspace as a unified diff ('' when there are none). */
  workspaceDiff(): Promise<string>;
  /** The most recent sessions of this home, newest first. */
  recentSessions(limit: number): SessionListing[];
  /**
   * Closes this session and opens a new one with the same settings; `info` then describes the new one.
   * Resolves to the warnings of the opening (an instruction file skipped), for the screen.
   */
  newSession(): Promise<string[]>;
  /** /compact during a run: the loop compacts before its next turn. */
  requestCompaction(): void;
  /** /compact while idle: compacts now; the events of the step (a compaction, or a warning saying why not). */
  compactNow(signal: AbortSignal): AsyncIterable<import('./events.js').AgentEvent>;
  /** The turns /rewind can go back to (those with a checkpoint), oldest first. */
  rewindPoints(): Promise<RewindPoint[]>;
  /** Files changed outside the session since it last wrote or restored them (what a rewind would overwrite). */
  changedOutside(): Promise<string[]>;
  /**
   * Restores the files of turn `turn` and makes the next message continue from its end
   * (the same rewind as `sessions rewind`). `force` first saves files changed outside
   * the session under its rewind-backup/; without it such files make it throw.
   */
  rewind(turn: number, options: { force: boolean }): Promise<RewindDone>;
  /**
   * A new session that goes on from the end of turn `at` of this one (default: its
   * last finished turn), as `sessions fork`; `worktree` gives it a git worktree of its own.
   */
  fork(options: { at?: number; worktree?: boolean }): Promise<ForkDone>;
}

/** A fork made from the UI. */
export interface ForkDone {
  sessionId: string;
  parent: string;
  atTurn: number;
  /** Where the fork works. */
  workspace: string;
  /** What the person should know (the shared workspace differs from the turn's checkpoint). */
  notes: string[];
}

/** A turn /rewind lists. */
export interface RewindPoint {
  turn: number;
  /** The first line of the model's text, else of the user message that started the turn. */
  firstLine: string;
  /** Files the turn changed (workspace-relative). */
  files: string[];
  /**
   * True for the session's first checkpoint: nothing earlier to compare with, so
   * `files` are only those the edit tools named (a shell command's changes are not listed).
   */
  first?: boolean;
  /** False for a turn a rewind left behind (still a valid target). */
  current: boolean;
}

/** What a rewind restored. */
export interface RewindDone {
  toTurn: number;
  restored: string[];
  removed: string[];
  /** Where files changed outside the session were saved (force). */
  backup?: string;
}
