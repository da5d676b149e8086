/**
 * Removing a session: its directory, and its own git worktree and branch if it
 * had one (a fork working in its parent's worktree leaves that one alone). A
 * parent goes only after its forks, which read its journal, blobs and checkpoints.
 */
import { removeWorktree } from '../../sandboxes/worktree.js';
import { worktreeOwner } from '../../sessions/lineage.js';
import type { SessionInfo, SessionStore } from '../../sessions/store.js';
import { ConfigError } from '../shared/errors.js';

/** Removes session `ref` (an id, unique prefix or `last`) from `store`; refuses a parent with forks (exit 2). */
export async function removeSession(store: SessionStore, ref: string): Promise<SessionInfo> {
  const contents = store.read(ref);
  const start = contents.records[0];
  const forks = store.list().filter((info) => info.parent === contents.id).map((info) => info.id);
  if (forks.length > 0) throw new ConfigError('has_forks', `session ${contents.id} has forks that go on from its turns (${forks.join(', ')}); remove them first (endure sessions rm <id>)`);
  return store.remove(contents.id, async () => {
    if (start?.kind === 'session_start' && start.workspace !== start.cwd && worktreeOwner(start) === contents.id)
      await removeWorktree({ repo: start.cwd, sessionId: contents.id, path: start.workspace });
  });
}
