/**
 * One writer per session. The lock is a file created with O_EXCL holding the
 * owner's pid, host and process start time. A second process is refused at
 * once with a JournalError naming the holder's pid. A lock whose process is
 * gone (or whose pid now belongs to a younger process, as happens in
 * containers) is stale and taken over; the takeover itself is serialized by a
 * short-lived `<lock>.takeover` file so two processes never both win. The lock
 * is released on `release()` and, failing that, when the process exits.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { JournalError } from '../src/shared/errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** Process start time in clock ticks since boot (Linux /proc), to tell a reused pid from the owner. */
  start?: number;
}

export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

export interface LockOptions {
  /** What the refusal names, e.g. "session 20250314-093015-042-7f3a9c". */
  what: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Takes the lock at `path` or throws a JournalError (code `locked`) naming the live holder. */
export function acquireLock(path: string, options: LockOptions): Lock {
  const owner = currentOwner(process.pid);
  if (!tryCreate(path, owner)) {
    const holder = readLockOwner(path);
    if (holder && isAlive(holder)) throw lockedError(options.what, holder, path);
    takeOver(path, owner, holder, options.what);
  }
  held.add(path);
  installExitHook();
  let released = false;
  return {
    path,
    owner,
    release() {
      if (released) return;
      released = true;
      held.delete(path);
      removeIfOurs(path, owner);
    },
  };
}

/** The owner recorded in the lock file, or undefined when there is no (readable) lock. */
export function readLockOwner(path: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string') return value as LockOwner;
  } catch {
    // A lock cut short while being written: its owner died before it could hold anything.
  }
  return undefined;
}

/** True when the lock's owner is still running (a lock from another host is assumed alive). */
export function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === undefined) return true;
  const start = processStart(owner.pid);
  return start === undefined || start === owner.start;
}

/** The refusal: names the holder's pid (and host, when it is another machine's lock, with the way out). */
export function lockedError(what: string, holder: LockOwner, path: string): JournalError {
  if (holder.host !== hostname()) {
    return new JournalError(
      'locked',
      `${what} is in use by process ${holder.pid} on host ${holder.host}; if that process is no longer running, delete ${path} and try again`,
    );
  }
  return new JournalError(
    'locked',
    `${what} is in use by process ${holder.pid}; wait for it to finish or stop it (kill ${holder.pid}), then try again`,
  );
}

function takeOver(path: string, owner: LockOwner, stale: LockOwner | undefined, what: string): void {
  const mutex = `${path}.takeover`;
  clearAbandonedMutex(mutex);
  if (!tryCreate(mutex, owner)) {
    throw lockedError(what, readLockOwner(mutex) ?? readLockOwner(path) ?? stale ?? owner, path);
  }
  try {
    const current = readLockOwner(path);
    if (current && isAlive(current)) throw lockedError(what, current, path);
    rmSync(path, { force: true });
    if (!tryCreate(path, owner)) throw lockedError(what, readLockOwner(path) ?? owner, path);
  } finally {
    rmSync(mutex, { force: true });
  }
}

/** A takeover file left by a process killed mid-takeover (a window of microseconds) is cleared after 10 s. */
function clearAbandonedMutex(mutex: string): void {
  try {
    if (Date.now() - statSync(mutex).mtimeMs > 10_000) rmSync(mutex, { force: true });
  } catch {
    // No takeover in progress.
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new JournalError('lock_failed', `cannot create the lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function removeIfOurs(path: string, owner: LockOwner): void {
  const current = readLockOwner(path);
  if (current && current.pid === owner.pid && current.host === owner.host && current.start === owner.start) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone (the session directory was removed).
    }
  }
}

function currentOwner(pid: number): LockOwner {
  const start = processStart(pid);
  return start === undefined ? { pid, host: hostname() } : { pid, host: hostname(), start };
}

/** Field 22 of /proc/<pid>/stat (after the parenthesized command name), or undefined off Linux. */
function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held) {
      try {
        unlinkSync(path);
      } catch {
        // Nothing to release.
      }
    }
  });
}
