import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import { Redactor, REDACTED } from '../../sessions/redactor.js';
import { SessionStore } from '../../sessions/store.js';
import { startBody, test } from './fixtures.js';

const API_KEY = 'sk-live-9f8e7d6c5b4a3210';
const HEADER_TOKEN = 'tok"en\\with-quotes';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('secrets', () => {
  test('no secret reaches any file of the session directory', ({ home }) => {
    const redactor = Redactor.fromEnv({ OPENAI_API_KEY: API_KEY, MY_TOKEN: HEADER_TOKEN }, ['OPENAI_API_KEY', 'MY_TOKEN']);
    const store = new SessionStore({ home, redactor });
    const session = store.create({ ...startBody, task: `use key ${API_KEY}`, settings: { headers: { Authorization: `Bearer ${API_KEY}` }, [API_KEY]: 1 } });
    session.append({ kind: 'user', content: `the token is ${HEADER_TOKEN} and ${API_KEY}` });
    session.append({
      kind: 'assistant',
      turn: 1,
      content: '',
      toolCalls: [{ id: 'c1', type: 'function', function: { name: 'run_shell', arguments: JSON.stringify({ command: `curl -H "x: ${HEADER_TOKEN}"` }) } }],
      finish: 'tool_calls',
    });
    const blob = session.putBlob(`env dump\nOPENAI_API_KEY=${API_KEY}\n`.repeat(1000));
    session.append({ kind: 'tool_end', callId: 'c1', name: 'run_shell', isError: false, content: `OPENAI_API_KEY=${API_KEY}`, blob, durationMs: 3 });
    session.sync();
    session.close();
    store.list();

    const files = filesUnder(session.paths.dir);
    expect(files.map((path) => path.slice(session.paths.dir.length + 1)).sort()).toEqual(['blobs', 'journal.jsonl', 'summary.json'].flatMap((name) => (name === 'blobs' ? [`blobs/${blob.id}`] : [name])).sort());
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      expect(text.includes(API_KEY), path).toBe(false);
      expect(text.includes(HEADER_TOKEN), path).toBe(false);
      expect(text.includes(JSON.stringify(HEADER_TOKEN).slice(1, -1)), path).toBe(false);
      expect(text.includes(REDACTED), path).toBe(true);
    }
    const { records } = readJournal(session.paths.journal);
    expect(records[0]).toMatchObject({ task: `use key ${REDACTED}` });
    expect(records[1]).toMatchObject({ content: `the token is ${REDACTED} and ${REDACTED}` });
    expect(JSON.parse((records[2] as { toolCalls: { function: { arguments: string } }[] }).toolCalls[0]!.function.arguments)).toEqual({ command: `curl -H "x: ${REDACTED}"` });
    expect(store.info(session.id).task).toBe(`use key ${REDACTED}`);
  });

  test('append returns the record as written, so the live fold equals a replay', ({ home }) => {
    const store = new SessionStore({ home, redactor: new Redactor([API_KEY]) });
    const session = store.create(startBody);
    const written = session.append({ kind: 'user', content: API_KEY });
    session.close();
    expect(written).toMatchObject({ content: REDACTED });
    expect(readJournal(session.paths.journal).records[1]).toEqual(written);
  });

  test('without secrets a line is untouched; short values are not treated as secrets', () => {
    const none = new Redactor();
    expect(none.active).toBe(false);
    const value = { a: 'plain' };
    expect(none.serialize(value).value).toBe(value);
    const short = new Redactor(['abc', '', undefined]);
    expect(short.active).toBe(false);
    expect(new Redactor(['abcdef']).redact('xabcdefx')).toBe(`x${REDACTED}x`);
  });

  test('a secret that contains another is replaced whole', () => {
    const redactor = new Redactor(['secret-1', 'secret-1-extended']);
    expect(redactor.redact('secret-1-extended and secret-1')).toBe(`${REDACTED} and ${REDACTED}`);
  });
});
