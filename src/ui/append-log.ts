/**
 * An append-only log shared by successive view states. Each state sees the first
 * `count` items of one backing array, so appending costs O(1) instead of copying
 * the history; a state that appends after a newer one did copies first, which keeps
 * every state immutable as seen through its own count.
 */

export interface AppendLog<T> {
  /** Backing storage; only indexes below `count` belong to this log. */
  readonly backing: T[];
  readonly count: number;
}

export function emptyLog<T>(): AppendLog<T> {
  return { backing: [], count: 0 };
}

export function appendTo<T>(log: AppendLog<T>, item: T): AppendLog<T> {
  const backing = log.backing.length === log.count ? log.backing : log.backing.slice(0, log.count);
  backing.push(item);
  return { backing, count: log.count + 1 };
}

/** The item at `index` (undefined beyond this log's count). */
export function itemAt<T>(log: AppendLog<T>, index: number): T | undefined {
  return index >= 0 && index < log.count ? log.backing[index] : undefined;
}

/**
 * An array-shaped window onto the log, made in O(1): ink's `<Static>` reads only
 * `length` and `slice(drawnCount)`, so handing it a window instead of a copy keeps the
 * cost of each new finished item independent of how many came before.
 */
export function windowOf<T>(log: AppendLog<T>): T[] {
  const { count } = log;
  return new Proxy(log.backing, {
    get(target, property, receiver) {
      if (property === 'length') return count;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
