/**
 * Watching real processes from a test: find them by a unique marker in their
 * command line (a sandbox's pid namespace hides the host pid from the process
 * itself), and wait on a condition with a bounded polling loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

export function uniqueMarker(): string {
  return `endure-marker-${randomBytes(6).toString('hex')}`;
}

/** Host pids whose argv[0] is `marker` (not the shells and bwraps that merely mention it). */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.split('\0')[0] === marker && !isZombie(Number(entry))) pids.push(Number(entry));
    } catch {
      continue;
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** Polls `condition` every 20 ms for at most `timeoutMs`; throws with `what` when it never holds. */
export async function waitUntil<T>(what: string, condition: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const attempts = Math.ceil(timeoutMs / 20);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = condition();
    if (value) return value;
    await delay(20);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** A marked sleeper: `exec -a` puts the marker in its argv[0], so /proc shows it. */
export function markedSleeper(marker: string): string {
  return `exec -a ${marker} sleep 1000`;
}
