/**
 * Interleaves a tick into an async stream whenever it stays silent for
 * `intervalMs`, so headless output can show a heartbeat while the model thinks.
 */

export const TICK = Symbol('tick');

export async function* withHeartbeat<T>(
  source: AsyncIterable<T>,
  intervalMs: number,
): AsyncGenerator<T | typeof TICK> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      pending ??= iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<typeof TICK>((resolve) => {
        timer = setTimeout(() => resolve(TICK), intervalMs);
      });
      const winner = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      if (winner === TICK) {
        yield TICK;
        continue;
      }
      pending = undefined;
      if (winner.done) return;
      yield winner.value;
    }
  } finally {
    await iterator.return?.();
  }
}
