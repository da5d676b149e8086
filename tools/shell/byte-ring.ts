/**
 * Bounded byte storage for command output. A command may print gigabytes; the
 * shell server keeps only a fixed-size window of the most recent bytes (and,
 * in HeadTailBuffer, the first bytes too), while counting everything, so memory
 * stays flat however much a command writes.
 */

/** The most recent `capacity` bytes of a stream, addressed by absolute offset. */
export class ByteRing {
  private readonly buffer: Buffer;
  private written = 0;

  constructor(readonly capacity: number) {
    this.buffer = Buffer.alloc(capacity);
  }

  /** Bytes ever written. */
  get total(): number {
    return this.written;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.written - this.capacity);
  }

  write(chunk: Uint8Array): void {
    const bytes = chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    const skipped = chunk.length - bytes.length;
    let position = (this.written + skipped) % this.capacity;
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, this.capacity - position);
      this.buffer.set(bytes.subarray(offset, offset + n), position);
      offset += n;
      position = (position + n) % this.capacity;
    }
    this.written += chunk.length;
  }

  /** Copies the held bytes in [from, to) (clamped to what is still held). */
  slice(from: number, to: number = this.written): Buffer {
    const start = Math.max(from, this.start);
    const end = Math.min(to, this.written);
    if (end <= start) return Buffer.alloc(0);
    const out = Buffer.alloc(end - start);
    let copied = 0;
    while (copied < out.length) {
      const position = (start + copied) % this.capacity;
      const n = Math.min(out.length - copied, this.capacity - position);
      this.buffer.copy(out, copied, position, position + n);
      copied += n;
    }
    return out;
  }
}

/** The first `headCapacity` bytes of a stream plus its last `tailCapacity` bytes. */
export class HeadTailBuffer {
  private readonly head: Buffer;
  private headLength = 0;
  private readonly tail: ByteRing;

  constructor(headCapacity: number, tailCapacity: number) {
    this.head = Buffer.alloc(headCapacity);
    this.tail = new ByteRing(Math.max(1, tailCapacity));
  }

  get total(): number {
    return this.headLength + this.tail.total;
  }

  write(chunk: Uint8Array): void {
    const intoHead = Math.min(chunk.length, this.head.length - this.headLength);
    if (intoHead > 0) {
      this.head.set(chunk.subarray(0, intoHead), this.headLength);
      this.headLength += intoHead;
    }
    if (intoHead < chunk.length) this.tail.write(chunk.subarray(intoHead));
  }

  /** What was kept, and how many bytes between head and tail were dropped. */
  snapshot(): { head: Buffer; tail: Buffer; omitted: number } {
    const tail = this.tail.slice(this.tail.start);
    return { head: this.head.subarray(0, this.headLength), tail, omitted: this.tail.start };
  }
}
