/**
 * A session recorded by an endure from before checkpoints (a recorded journal,
 * its workspace pointed at a real repository): rewind says why it has nothing to
 * rewind to, fork goes on from any of its turns, and a fork with its own worktree
 * says why that worktree holds the base commit instead of the turn's files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { encodeLine } from '../../sessions/journal-line.js';
import { readJournal } from '../../sessions/journal-reader.js';
import { e2eTest as test, repoRoot } from '../support/e2e-fixtures.js';

const FIXTURE = join(repoRoot, 'test/fixtures/journals/v1-budget-crash-compaction-resume.jsonl');

/** The recorded session under `home`, working in `workspace` (its lines encoded again with their checksums). */
function installOlderSession(home: string, workspace: string): string {
  const { records } = readJournal(FIXTURE);
  const start = records[0] as { sessionId: string; cwd: string; workspace: string };
  const dir = join(home, 'sessions', start.sessionId);
  mkdirSync(dir, { recursive: true });
  const moved = records.map((record, index) => (index === 0 ? { ...record, cwd: workspace, workspace } : record));
  writeFileSync(join(dir, 'journal.jsonl'), moved.map((record) => encodeLine(JSON.stringify(record))).join(''));
  return start.sessionId;
}

describe('a session from before checkpoints', { timeout: 120_000 }, () => {
  test('rewind says why there is no checkpoint; fork goes on, and its worktree says why it holds the base commit', async ({ endure, home, repo }) => {
    const id = installOlderSession(home, repo);

    const rewind = await endure.run(['sessions', 'rewind', id, '--to', '3']).done;
    expect([rewind.code, rewind.stderr.trim().split('\n')]).toEqual([
      2,
      [`endure: session ${id} has no checkpoint (one is taken at the end of each turn that may change files, and an endure older than checkpoints took none), so there is nothing to rewind to`],
    ]);

    const shared = await endure.run(['sessions', 'fork', id, '--at', '3', '--json']).done;
    expect([shared.code, shared.stderr]).toEqual([0, '']);
    expect(JSON.parse(shared.stdout)).toMatchObject({ parent: id, at_turn: 3 });

    const own = await endure.run(['sessions', 'fork', id, '--at', '3', '--worktree']).done;
    expect(own.code).toBe(0);
    expect(own.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^endure: turn 3 has no checkpoint \(one is taken at the end of each turn that may change files, and an endure older than checkpoints took none\): the fork's worktree holds commit [0-9a-f]{12}$/),
    ]);
  });
});
