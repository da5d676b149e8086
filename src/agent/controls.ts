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
