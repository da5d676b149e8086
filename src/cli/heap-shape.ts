/**
 * V8's heap shaped for a long session, set at start-up so it holds however
 * endure is started (bin, npx, npm run, node dist/...): both settings are
 * flags V8 reads at every collection, unlike the heap-size flags, which only
 * a command line can set.
 *
 * They are set once start-up is over (the runtime calls this when the first
 * response has been read), not at once: V8's code cache is keyed by its flags,
 * so after any flag change Node's built-in modules (fetch's client,
 * child_process, ...) no longer find the bytecode compiled into the binary and
 * compile from source (measured: spawn to exec's first request 30-40 ms
 * later). A heap flag on the command line costs the same, which is why the
 * bin's shebang and `npm run endure` pass none. Until the first response the
 * heap is small (old space under 20 MB), so nothing is lost by waiting.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation's size (both semi-spaces) past which it stops growing. */
export const YOUNG_GENERATION_CAP = 16 * 1024 * 1024;
const spaceSize = (name: string) => getHeapSpaceStatistics().find((space) => space.space_name === name)?.space_size ?? 0;

let shaped = false;

/** Shapes the heap for the rest of the process; later calls do nothing. */
export function shapeHeap(): void {
  if (shaped) return;
  shaped = true;
  // Nothing leaks in a long session (the live heap stays near 25 MB), but with the default 4 GB heap limit V8 lets the
  // old generation grow to 4× what survived the last full collection, and a session's garbage (request bodies, tool
  // output, records) held RSS near 200 MB. 1.3× is the growth V8 itself picks under a 256 MB limit.
  setFlagsFromString('--heap-growing-percent=30');
  let factor = 2;
  new PerformanceObserver(() => {
    // The young generation doubles while much of it survives, up to 32 MB whatever the heap limit: a turn's garbage
    // (a request body, a tool result) then stays resident 16 MB more than it needs, for no fewer collections
    // (measured: peak RSS over 2,000 reads 143 → 130 MB, CPU per turn unchanged). Its growth factor is read at each
    // collection: after each one, growth stops at the cap and resumes below it (V8 shrinks the space when idle).
    const next = spaceSize('new_space') >= YOUNG_GENERATION_CAP ? 1 : 2;
    if (next === factor) return;
    factor = next;
    setFlagsFromString(`--semi-space-growth-factor=${next}`);
  }).observe({ entryTypes: ['gc'] });
}
