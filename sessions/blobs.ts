/**
 * Large tool outputs, kept beside the journal instead of in it. A blob is
 * content-addressed (its file name is the sha256 of its bytes), written to a
 * temporary name and renamed, so a crash never leaves a partial blob under a
 * real name, and the same output stored twice takes the space once. The
 * journal record keeps a preview and a BlobRef; `read` pages through the rest
 * for a `read_output` tool. Secrets are redacted before the bytes are hashed.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError } from '../src/shared/errors.js';
import type { BlobRef } from './records.js';
import { Redactor } from './redactor.js';

/** A page of a blob. Offsets are bytes, moved to UTF-8 character boundaries. */
export interface BlobPage {
  text: string;
  /** Byte offset where `text` starts. */
  offset: number;
  /** Bytes of `text`: the next page starts at `offset + bytes`. */
  bytes: number;
  totalBytes: number;
}

export interface BlobStoreOptions {
  redactor?: Redactor;
  /** fsync each blob before its reference is written (a blob is rare and large; losing it to a power cut would orphan its record). @default true */
  durable?: boolean;
  /** Stores read when a blob is not in `dir` (a fork's ancestors', whose records it inherited). @default none */
  readAlso?: readonly string[];
}

const BLOB_ID = /^[0-9a-f]{64}$/;

export class BlobStore {
  private readonly redactor: Redactor;
  private readonly durable: boolean;
  private readonly readAlso: readonly string[];

  constructor(
    readonly dir: string,
    options: BlobStoreOptions = {},
  ) {
    this.redactor = options.redactor ?? new Redactor();
    this.durable = options.durable ?? true;
    this.readAlso = options.readAlso ?? [];
  }

  /** Where blob `id` is: this store, else the first of `readAlso` that has it. */
  private pathOf(id: string): string {
    const own = join(this.dir, id);
    if (this.readAlso.length === 0 || existsSync(own)) return own;
    return this.readAlso.map((dir) => join(dir, id)).find((path) => existsSync(path)) ?? own;
  }

  /** Stores `content` (secrets redacted) and returns its reference. */
  put(content: string): BlobRef {
    const bytes = Buffer.from(this.redactor.redact(content), 'utf8');
    const id = createHash('sha256').update(bytes).digest('hex');
    const path = join(this.dir, id);
    if (!existsSync(path)) {
      mkdirSync(this.dir, { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, bytes, { flush: this.durable });
      renameSync(temp, path);
    }
    return { id, bytes: bytes.length };
  }

  /** True when `id` names a stored blob (ids that are not sha256 hex never do). */
  has(id: string): boolean {
    return BLOB_ID.test(id) && existsSync(this.pathOf(id));
  }

  /**
   * Reads up to `length` bytes from `offset`, or undefined when there is no such
   * blob. The range is moved to whole UTF-8 characters: the start forward, the end
   * back, so pages never split a character and follow each other exactly.
   */
  read(id: string, offset = 0, length = 64 * 1024): BlobPage | undefined {
    if (!BLOB_ID.test(id)) return undefined;
    let fd: number;
    try {
      fd = openSync(this.pathOf(id), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new JournalError('blob_unreadable', `cannot read blob ${id}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const totalBytes = fstatSync(fd).size;
      const start = Math.max(0, Math.min(Math.floor(offset), totalBytes));
      const want = Math.max(0, Math.min(Math.floor(length), totalBytes - start));
      const buffer = Buffer.alloc(want + 4);
      const got = readSync(fd, buffer, 0, Math.min(want + 4, totalBytes - start), start);
      let head = 0;
      while (head < got && isContinuation(buffer[head]!)) head++;
      let tail = Math.min(want, got);
      if (start + tail < totalBytes) while (tail > head && isContinuation(buffer[tail]!)) tail--;
      if (tail <= head && want > 0 && head < got) {
        tail = head + 1;
        while (tail < got && isContinuation(buffer[tail]!)) tail++;
      }
      return { text: buffer.toString('utf8', head, tail), offset: start + head, bytes: tail - head, totalBytes };
    } finally {
      closeSync(fd);
    }
  }
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
