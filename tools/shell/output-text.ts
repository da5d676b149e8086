/**
 * Turns captured output bytes into the text the model reads: UTF-8 decoded,
 * cut on character boundaries, and when the middle was dropped, a marker that
 * says how much is missing so the model knows the output is partial.
 */

function isContinuation(byte: number): boolean {
  return (byte & 0b1100_0000) === 0b1000_0000;
}

/** How many bytes at the end of `bytes` belong to a UTF-8 sequence cut short. */
export function incompleteTailLength(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  let continuations = 0;
  while (i >= 0 && continuations < 3 && isContinuation(bytes[i]!)) {
    i--;
    continuations++;
  }
  if (i < 0) return 0;
  const lead = bytes[i]!;
  const expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return expected > continuations + 1 ? continuations + 1 : 0;
}

/** How many continuation bytes a cut left at the start of `bytes`. */
export function strayHeadLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && i < 3 && isContinuation(bytes[i]!)) i++;
  return i;
}

export function formatBytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

/** Head and tail joined with an omission marker, or the whole output when nothing was dropped. */
export function renderHeadTail(head: Buffer, tail: Buffer, omitted: number): string {
  if (omitted === 0) return Buffer.concat([head, tail]).toString('utf8');
  const marker = `\n[... ${formatBytes(omitted)} omitted ...]\n`;
  const headText = head.subarray(0, head.length - incompleteTailLength(head)).toString('utf8');
  return headText + marker + tail.subarray(strayHeadLength(tail)).toString('utf8');
}
