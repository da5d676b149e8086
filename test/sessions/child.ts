/**
 * A real process for the sessions tests (run from dist/ after `npm run build`):
 *   append <home> <id> <seed>   create the session, then append records forever,
 *                               printing each seq once its append has returned
 *   hold <home> <id>            open the session, print "held", keep it until stdin closes
 *   open <home> <id>            try to open the session; print the outcome as JSON
 */
import { SessionStore } from '../../sessions/store.js';
import { expectedBody, startBody } from './sample-records.js';

const [mode, home, id, seed] = process.argv.slice(2);
if (!mode || !home || !id) throw new Error('usage: child.js append|hold|open <home> <id> [seed]');
// kill -9 keeps what is in the page cache, so fsync has nothing to add here but time.
const store = new SessionStore({ home, fsync: mode === 'append' ? 'never' : 'turn' });

switch (mode) {
  case 'append': {
    const session = store.create(startBody, id);
    const salt = Number(seed ?? 0);
    for (;;) {
      const seq = session.journal.lastSeq + 1;
      if (seq % 50 === 0) session.putBlob(`blob ${salt} ${seq}\n`.repeat(2000));
      session.append(expectedBody(seq, salt));
      if (seq % 7 === 0) session.sync();
      process.stdout.write(`${seq}\n`);
    }
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
