/**
 * The bytes of one journal line. A record is serialized as JSON, then its
 * closing brace is replaced by `,"crc":"xxxxxxxx"}` and a newline, where the
 * hex digits are the CRC-32 of the serialized record. The suffix has a fixed
 * length, so verifying a line is: cut the last 18 bytes, put the brace back,
 * compare CRCs. No re-serialization, no copy of the line.
 *
 *   {"seq":7,"t":1710408615042,"kind":"user","content":"hi","crc":"1c291ca3"}
 */
import { crc32 } from 'node:zlib';

const CRC_PREFIX = ',"crc":"';
/** Length of `,"crc":"xxxxxxxx"}`. */
export const CRC_SUFFIX_LENGTH = CRC_PREFIX.length + 8 + 2;
const BRACE = Buffer.from('}');
const NEWLINE = 0x0a;

/** The line (newline included) for a record serialized as `json` (an object's JSON text). */
export function encodeLine(json: string): string {
  const crc = crc32(json).toString(16).padStart(8, '0');
  return `${json.slice(0, -1)}${CRC_PREFIX}${crc}"}\n`;
}

/** Why a line's bytes are not a record we wrote. */
export type LineFault = 'checksum' | 'json';

/**
 * Checks the line in `bytes[start, end)` (newline excluded) and parses it.
 * Returns the record object (without `crc`), or the fault.
 */
export function decodeLine(bytes: Buffer, start: number, end: number): { value: unknown } | { fault: LineFault } {
  const bodyEnd = end - CRC_SUFFIX_LENGTH;
  if (bodyEnd <= start || !hasCrcSuffix(bytes, bodyEnd, end)) return { fault: 'checksum' };
  const stored = bytes.toString('latin1', bodyEnd + CRC_PREFIX.length, bodyEnd + CRC_PREFIX.length + 8);
  const actual = crc32(BRACE, crc32(bytes.subarray(start, bodyEnd)));
  if (Number.parseInt(stored, 16) !== actual || !/^[0-9a-f]{8}$/.test(stored)) return { fault: 'checksum' };
  try {
    return { value: JSON.parse(`${bytes.toString('utf8', start, bodyEnd)}}`) };
  } catch {
    return { fault: 'json' };
  }
}

function hasCrcSuffix(bytes: Buffer, bodyEnd: number, end: number): boolean {
  for (let i = 0; i < CRC_PREFIX.length; i++) {
    if (bytes[bodyEnd + i] !== CRC_PREFIX.charCodeAt(i)) return false;
  }
  return bytes[end - 2] === 0x22 && bytes[end - 1] === 0x7d;
}

/** Index of the next newline at or after `from`, or -1. */
export function nextNewline(bytes: Buffer, from: number): number {
  return bytes.indexOf(NEWLINE, from);
}
