/**
 * The UI's /rewind on the live session: the same core as `sessions rewind`
 * (src/cli/rewind.ts), run on the runtime's open session, which already holds
 * the lock. The open Session holds none of its records, so the journal is read
 * again (a fork's with its parent's first turns); after the
 * rewind the runtime's conversation is folded again, so the next message goes
 * on from the end of the chosen turn.
 */
import type { JournalRecord } from '../../sessions/records.js';
import type { SessionCommands } from '../agent/controls.js';
import { changedOutside, rewind, storeOf } from './rewind.js';
import { rewindPoints } from './rewind-points.js';
import type { Runtime } from './runtime.js';

export function liveRewind(runtime: () => Runtime): Pick<SessionCommands, 'rewindPoints' | 'changedOutside' | 'rewind'> {
  const records = (): JournalRecord[] => [...runtime().session.history()];
  return {
    rewindPoints: () => rewindPoints(records(), storeOf(runtime().session)),
    changedOutside: async () => (await changedOutside(runtime().session, records())).map((change) => change.path),
    async rewind(turn, options) {
      const live = runtime();
      const outcome = await rewind(live.session, turn, { force: options.force, records: records() });
      live.refold(live.session.history());
      return { toTurn: outcome.toTurn, restored: outcome.restored, removed: outcome.removed, ...(outcome.backup ? { backup: outcome.backup } : {}) };
    },
  };
}
