import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { BlobStore } from '../../sessions/blobs.js';
import { startBody, test } from './fixtures.js';

describe('blobs', () => {
  test('stores content under its sha256 and reads it back whole and in ranges', ({ home }) => {
    const blobs = new BlobStore(join(home, 'blobs'));
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join('');
    const ref = blobs.put(text);
    expect(ref).toEqual({ id: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) });
    expect(readFileSync(join(home, 'blobs', ref.id), 'utf8')).toBe(text);
    expect(blobs.put(text)).toEqual(ref);
    expect(readdirSync(join(home, 'blobs'))).toEqual([ref.id]);
    expect(blobs.read(ref.id, 0, ref.bytes)).toEqual({ text, offset: 0, bytes: ref.bytes, totalBytes: ref.bytes });
    expect(blobs.read(ref.id, 7, 12)).toMatchObject({ text: text.slice(7, 19), offset: 7, bytes: 12 });
    expect(blobs.read(ref.id, ref.bytes - 5, 100)).toMatchObject({ text: text.slice(-5), bytes: 5 });
    expect(blobs.read(ref.id, ref.bytes + 10, 100)).toMatchObject({ text: '', offset: ref.bytes, bytes: 0 });
  });

  test('pages never split a UTF-8 character and follow each other exactly', ({ home }) => {
    const blobs = new BlobStore(join(home, 'blobs'));
    const text = 'aé€😀'.repeat(300);
    const ref = blobs.put(text);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      let offset = 0;
      let joined = '';
      while (offset < ref.bytes) {
        const page = blobs.read(ref.id, offset, size)!;
        expect(page.bytes).toBeGreaterThan(0);
        expect(page.offset).toBe(offset);
        joined += page.text;
        offset += page.bytes;
      }
      expect(joined).toBe(text);
    }
    const mid = blobs.read(ref.id, 2, 10)!;
    expect(mid.offset).toBe(3);
    expect(mid.text.includes('\ufffd')).toBe(false);
  });

  test('an id that is not a stored sha256 reads as undefined, never outside the directory', ({ home }) => {
    const blobs = new BlobStore(join(home, 'blobs'));
    blobs.put('x');
    expect(blobs.read('0'.repeat(64))).toBeUndefined();
    expect(blobs.read('../../etc/passwd')).toBeUndefined();
    expect(blobs.has('../blobs')).toBe(false);
  });

  test('a session keeps its blobs in its directory', ({ store }) => {
    const session = store.create(startBody);
    const ref = session.putBlob('big output\n'.repeat(10_000));
    expect(existsSync(join(session.paths.blobs, ref.id))).toBe(true);
    expect(session.readBlob(ref.id, 0, 11)).toMatchObject({ text: 'big output\n', totalBytes: ref.bytes });
    session.close();
  });
});
