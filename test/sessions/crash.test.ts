import { emptyFigures, foldFigures } from '../../sessions/figures.js';
import { readdirSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import type { JournalRecord } from '../../sessions/records.js';
import { runChild } from './child-process.js';
import { expectedBody, startBody, test } from './fixtures.js';

const KILLS = 8;

describe('kill -9 of a process appending records', () => {
  test('leaves a journal that opens cleanly: every acknowledged record, a valid prefix, at most a torn tail', async ({ home, store }) => {
    const report: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      const target = 2 + Math.floor(Math.random() * 400);
      const id = `crash-${round}`;
      const child = runChild(['append', home, id, String(round)]);
      await child.waitFor((line) => Number(line) >= target);
      child.process.kill('SIGKILL');
      expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
      const acknowledged = Math.max(...child.lines.map(Number));

      const records: JournalRecord[] = [];
      const session = store.open(id, (record) => records.push(record));
      const { torn } = session;
      report.push(`round ${round}: killed after seq ${acknowledged} (target ${target}), ${records.length} records, torn ${torn ? `${torn.bytes} bytes (${torn.reason})` : 'none'}`);
      expect(records.length, report.at(-1)).toBeGreaterThanOrEqual(acknowledged);
      expect(records[0]).toMatchObject({ seq: 1, ...startBody, kind: 'session_start', sessionId: id });
      for (const record of records.slice(1)) {
        const { seq, t, ...body } = record;
        expect(typeof t).toBe('number');
        expect(body, `record ${seq}`).toEqual(expectedBody(seq, round));
      }
      if (torn) expect(torn.line).toBe(records.length + 1);
      expect(readdirSync(session.paths.blobs).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      const next = session.append({ kind: 'user', content: 'go on' });
      session.close();
      expect(next.seq).toBe(records.length + 1);
      const after = readJournal(session.paths.journal);
      expect(after.torn).toBeUndefined();
      expect(after.records).toHaveLength(records.length + 1);
      // The one fold of figures: a started call counts once it has its result (sessions/figures.ts).
      const figures = emptyFigures();
      for (const record of after.records) foldFigures(figures, record);
      expect(store.info(id)).toMatchObject({ toolCalls: figures.toolCalls, live: false });
    }
    console.log(report.join('\n'));
  }, 180_000); // eight rounds of hundreds of fdatasync'd appends: slow on a loaded disk, not a timing assertion
});

