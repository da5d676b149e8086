/**
 * A SessionDriver that plays scripted events: the UI's own boundary, standing in
 * for the loop the CLI will pass. Each run calls the script with what the UI gave
 * it (message, signal, approver) and wraps the yielded bodies in the envelope.
 */
import type { Approver, SessionDriver } from '../../../src/agent/controls.js';
import { SteeringQueue } from '../../../src/agent/controls.js';
import type { AgentEvent, AgentEventBody } from '../../../src/agent/events.js';

export interface RunContext {
  message: string;
  signal: AbortSignal;
  approver: Approver | undefined;
  steering: SteeringQueue;
  /** Resolves when the run's signal is aborted. */
  aborted(): Promise<void>;
}

export type Script = (run: RunContext) => AsyncIterable<AgentEventBody>;

export const EPOCH = Date.now();

export class ScriptedDriver implements SessionDriver {
  readonly info: SessionDriver['info'];
  readonly steering = new SteeringQueue();
  readonly runs: RunContext[] = [];
  closeCount = 0;
  private seq = 0;
  private turn = 0;

  constructor(
    private readonly script: Script,
    info: Partial<SessionDriver['info']> = {},
  ) {
    this.info = { sessionId: 's-test', model: 'qwen3-coder', server: 'llama', sandbox: 'host', workspace: '/w', budgets: {}, ...info };
  }

  run(message: string, signal: AbortSignal, approver?: Approver): AsyncIterable<AgentEvent> {
    const context: RunContext = {
      message,
      signal,
      approver,
      steering: this.steering,
      aborted: () =>
        new Promise((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        }),
    };
    this.runs.push(context);
    return this.envelope(this.script(context));
  }

  async close(): Promise<void> {
    this.closeCount += 1;
  }

  private async *envelope(bodies: AsyncIterable<AgentEventBody>): AsyncIterable<AgentEvent> {
    for await (const body of bodies) {
      if (body.type === 'turn_start') this.turn += 1;
      this.seq += 1;
      yield { session: this.info.sessionId, turn: this.turn, seq: this.seq, time: EPOCH + this.seq * 100, ...body } as AgentEvent;
    }
  }
}

/** A promise the test opens when it wants the script to go on. */
export class Gate {
  private release: () => void = () => {};
  private readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  open(): void {
    this.release();
  }
  wait(): Promise<void> {
    return this.opened;
  }
}

/** Polls a condition until it holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, describe: () => string = () => '', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
