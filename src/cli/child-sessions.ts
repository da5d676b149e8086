/**
 * The children (subagents) of a session on disk: `<session>/agents/<id>/`,
 * each a session with the same writer rules, lock and blobs. A child starts
 * with its parent's session_start (endpoint, sandbox, workspace, system prompt,
 * tools), its own task, and where it came from.
 */
import { existsSync } from 'node:fs';
import type { ChildSessions } from '../agent/subagents.js';
import { sessionPathsUnder } from '../../sessions/home.js';
import type { JournalRecord } from '../../sessions/records.js';
import type { Session } from '../../sessions/session.js';
import type { SessionStore } from '../../sessions/store.js';

export function childSessions(store: SessionStore, parent: Session, parentStart: Extract<JournalRecord, { kind: 'session_start' }>): ChildSessions {
  const agents = store.agentsOf(parent);
  const { seq: _seq, t: _t, kind: _kind, sessionId: _id, ...start } = parentStart;
  return {
    open(id) {
      return existsSync(sessionPathsUnder(agents.root, id).journal) ? agents.open(id) : undefined;
    },
    create(id, child) {
      return agents.create(
        {
          ...start,
          task: child.task,
          settings: {
            ...start.settings,
            agent: { parentSession: parent.id, parentCallId: child.parentCallId, description: child.description, mode: child.mode },
          },
        },
        id,
      );
    },
  };
}
