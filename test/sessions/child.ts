/**
 * A real process for the sessions tests (run from dist/ after `npm run build`):
 *   append <home> <id> <seed>   create the session, then append up to APPEND_LIMIT records,
 *                               printing each seq once its append has returned; then
 *                               wait until stdin closes
 *   hold <home> <id>            open the session, print "held", keep it until stdin closes
 *   open <home> <id>            try to open the session; print the outcome as JSON
 */
import { SessionStore } from '../../sessions/store.js';
import { expectedBody, startBody } from './sample-records.js';

/** Far beyond any kill point of the crash test (at most record 401). */
const APPEND_LIMIT = 5_000;

const [mode, home, id, seed] = process.argv.slice(2);
if (!mode || !home || !id) throw new Error('usage: child.js append|hold|open <home> <id> [seed]');
// kill -9 keeps what is in the page cache, so fsync has nothing to add here but time.
const store = new SessionStore({ home, fsync: mode === 'append' ? 'never' : 'turn' });

switch (mode) {
  case 'append': {
    const session = store.create(startBody, id);
    const salt = Number(seed ?? 0);
    // Bounded, and gone once its parent is: a writer orphaned by a killed test run
    // once appended until the disk was full (a synchronous loop never sees EPIPE).
    while (session.journal.lastSeq < APPEND_LIMIT) {
      const seq = session.journal.lastSeq + 1;
      if (seq % 50 === 0) session.putBlob(`blob ${salt} ${seq}\n`.repeat(2000));
      session.append(expectedBody(seq, salt));
      if (seq % 7 === 0) session.sync();
      process.stdout.write(`${seq}\n`);
    }
    process.stdin.on('end', () => process.exit(0)).resume();
    break;
  }
  case 'hold': {
    const session = store.open(id);
    process.stdout.write(`held ${process.pid}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => {
      session.close();
      process.exit(0);
    });
    break;
  }
  case 'open': {
    try {
      const session = store.open(id);
      session.close();
      process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      process.stdout.write(`${JSON.stringify({ ok: false, code, message })}\n`);
    }
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
