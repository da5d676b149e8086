import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isSessionId, newSessionId, resolveHome, sessionPaths } from '../../sessions/home.js';

describe('session home', () => {
  test('ENDURE_HOME wins, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(resolveHome({ ENDURE_HOME: '/srv/endure', XDG_STATE_HOME: '/x', HOME: '/home/u' })).toBe('/srv/endure');
    expect(resolveHome({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toBe('/x/state/endure');
    expect(resolveHome({ HOME: '/home/u' })).toBe('/home/u/.local/state/endure');
    expect(resolveHome({ XDG_STATE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/state/endure');
    expect(resolveHome({ ENDURE_HOME: 'rel/home' })).toBe(join(process.cwd(), 'rel/home'));
  });

  test('a session is a directory under <home>/sessions', () => {
    expect(sessionPaths('/h', 'abc')).toEqual({
      dir: '/h/sessions/abc',
      journal: '/h/sessions/abc/journal.jsonl',
      blobs: '/h/sessions/abc/blobs',
      lock: '/h/sessions/abc/lock',
      summary: '/h/sessions/abc/summary.json',
    });
    for (const bad of ['..', '../x', 'a/b', '', '.hidden', 'a..b']) {
      expect(() => sessionPaths('/h', bad)).toThrow(/is not a session id/);
    }
  });

  test('ids sort by time and differ within the same millisecond', () => {
    const t = Date.UTC(2025, 2, 14, 9, 30, 15, 42);
    expect(newSessionId(t, () => Buffer.from([0x7f, 0x3a, 0x9c]))).toBe('20250314-093015-042-7f3a9c');
    const ids = [t + 1000, t, t + 1, t + 86_400_000].map((time) => newSessionId(time));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0], ids[3]]);
    const same = new Set(Array.from({ length: 200 }, () => newSessionId(t)));
    expect(same.size).toBe(200);
    expect([...same].every(isSessionId)).toBe(true);
  });
});
