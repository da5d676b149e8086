/**
 * Yields the events that work emits while it runs, then returns its result.
 * The loop is a generator, but subagents run as promises inside a tool batch:
 * their events are passed out through this, in the order they happened.
 */
import type { AgentEvent } from './events.js';

export async function* whileRunning<T>(work: (emit: (event: AgentEvent) => void) => Promise<T>): AsyncGenerator<AgentEvent, T> {
  const queued: AgentEvent[] = [];
  let wake: (() => void) | undefined;
  let settled: { value: T } | { error: unknown } | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  work((event) => {
    queued.push(event);
    poke();
  }).then(
    (value) => {
      settled = { value };
      poke();
    },
    (error: unknown) => {
      settled = { error };
      poke();
    },
  );
  for (;;) {
    while (queued.length) yield queued.shift()!;
    if (settled) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  if ('error' in settled) throw settled.error;
  return settled.value;
}
