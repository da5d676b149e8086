/**
 * Runs the compiled child script (child.ts) as a real process and lets a test
 * wait on what it prints, line by line, without polling or sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { childScript } from './fixtures.js';

export interface RunningChild {
  process: ChildProcess;
  /** Resolves with the first line (from now on, or already seen) that `match` accepts; rejects if the child exits first. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  /** Every line printed so far. */
  lines: string[];
  /** Resolves when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runChild(args: string[]): RunningChild {
  const child = spawn(process.execPath, [childScript(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  // A test that fails or times out before its kill must not leave the writer running.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    process: child,
    lines,
    exited,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before printing the awaited line: ${stderr.trim()}`)));
      });
    },
  };
}
