import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect } from 'vitest';
import { sessionPaths } from '../../sessions/home.js';
import { acquireLock, readLockOwner } from '../../sessions/lock.js';
import { runChild } from './child-process.js';
import { startBody, test } from './fixtures.js';

describe('session lock', () => {
  test('a second process is refused at once, with the holder pid in the message', async ({ home, store }) => {
    store.create(startBody, 'held-session').close();
    const holder = runChild(['hold', home, 'held-session']);
    try {
      await holder.waitFor((line) => line.startsWith('held'));
      const pid = holder.process.pid!;
      expect(() => store.open('held-session')).toThrow(new RegExp(`session held-session is in use by process ${pid}; .*kill ${pid}`));
      expect(store.info('held-session')).toMatchObject({ status: 'running', live: true, holderPid: pid });
      await expect(store.remove('held-session')).rejects.toThrow(`process ${pid}`);
    } finally {
      holder.process.stdin!.end();
      await holder.exited;
    }
    const session = store.open('held-session');
    session.close();
  });

  test('a session this process holds is refused to another process', async ({ home, store }) => {
    const session = store.create(startBody, 'mine');
    try {
      const other = runChild(['open', home, 'mine']);
      const outcome = JSON.parse(await other.waitFor((line) => line.startsWith('{'))) as { ok: boolean; code: string; message: string };
      expect(outcome).toMatchObject({ ok: false, code: 'locked' });
      expect(outcome.message).toContain(`in use by process ${process.pid}`);
    } finally {
      session.close();
    }
    expect(readLockOwner(sessionPaths(home, 'mine').lock)).toBeUndefined();
  });

  test('the lock of a process killed with SIGKILL is stale and taken over', async ({ home, store }) => {
    store.create(startBody, 'crashed').close();
    const holder = runChild(['hold', home, 'crashed']);
    await holder.waitFor((line) => line.startsWith('held'));
    const lockPath = sessionPaths(home, 'crashed').lock;
    expect(readLockOwner(lockPath)?.pid).toBe(holder.process.pid);
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(store.info('crashed')).toMatchObject({ live: false, status: 'interrupted' });
    const session = store.open('crashed');
    expect(readLockOwner(lockPath)?.pid).toBe(process.pid);
    session.close();
  });

  test('processes racing to take over a stale lock: exactly one wins', async ({ home, store }) => {
    store.create(startBody, 'contested').close();
    const dead = runChild(['hold', home, 'contested']);
    await dead.waitFor((line) => line.startsWith('held'));
    dead.process.kill('SIGKILL');
    await dead.exited;
    const racers = Array.from({ length: 4 }, () => runChild(['hold', home, 'contested']));
    try {
      const outcomes = await Promise.all(
        racers.map((racer) =>
          racer.waitFor((line) => line.startsWith('held')).then(
            () => 'held',
            () => 'refused',
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === 'held')).toHaveLength(1);
    } finally {
      for (const racer of racers) racer.process.stdin!.end();
      await Promise.all(racers.map((racer) => racer.exited));
    }
  });

  test('a lock whose pid now belongs to another (younger) process is stale', ({ home, store }) => {
    store.create(startBody, 'reused').close();
    const lockPath = sessionPaths(home, 'reused').lock;
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), start: 1 }));
    const session = store.open('reused');
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(readLockOwner(lockPath)?.start).not.toBe(1);
    session.close();
  });

  test('a lock cut short while it was written is stale', ({ home, store }) => {
    store.create(startBody, 'half').close();
    writeFileSync(sessionPaths(home, 'half').lock, '{"pid":12');
    store.open('half').close();
  });

  test('a lock from another host is respected and named', ({ home, store }) => {
    store.create(startBody, 'remote').close();
    writeFileSync(sessionPaths(home, 'remote').lock, JSON.stringify({ pid: 4242, host: 'build-box-7' }));
    expect(() => store.open('remote')).toThrow(/in use by process 4242 on host build-box-7; if that process is no longer running, delete .*remote\/lock/);
  });

  test('release removes only our own lock and is idempotent', ({ home }) => {
    const path = `${home}/some.lock`;
    const lock = acquireLock(path, { what: 'thing' });
    expect(() => acquireLock(path, { what: 'thing' })).toThrow(`thing is in use by process ${process.pid}`);
    lock.release();
    lock.release();
    expect(readLockOwner(path)).toBeUndefined();
    const again = acquireLock(path, { what: 'thing' });
    again.release();
  });
});
