/**
 * The crash tests' kill points. With ENDURE_TEST_PAUSE=<point> the process says
 * `endure: paused at <point>` on stderr and waits there, so a test can kill -9
 * it at exactly the worst moment of a rewind, a fork or a checkpoint. Unset (as
 * everywhere but those tests) it costs one variable read.
 */
export type PausePoint = 'rewind-before-restore' | 'rewind-after-restore' | 'fork-worktree' | 'fork-before-rename' | 'checkpoint-after-snapshot';

export async function pauseForTest(point: PausePoint): Promise<void> {
  if (process.env.ENDURE_TEST_PAUSE !== point) return;
  process.stderr.write(`endure: paused at ${point}\n`);
  await new Promise(() => setInterval(() => undefined, 60_000));
}
