/**
 * The head + tail cut of a tool output: the note states exactly how many bytes
 * and lines were left out and the byte offset where they start (multi-byte text
 * included), cuts land on line boundaries when one is near, and the per-output
 * limit scales with the context window (16k windows get small caps).
 */
import { describe, expect, test } from 'vitest';
import { cutForPrompt, outputLimitFor } from '../../src/context/tool-output.js';

const NOTE = /\n\[\.\.\. (\d+) bytes \((\d+) lines\) left out of (\d+); (.*) \.\.\.\]\n/;

function lines(count: number, make: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => `${make(i)}\n`).join('');
}

describe('cutForPrompt', () => {
  test('an output within the limit is left whole', () => {
    expect(cutForPrompt('short output\n', 100, 'abc')).toEqual({ text: 'short output\n', cut: false });
  });

  test('head, note and tail add up to the whole output, in bytes and in lines', () => {
    const text = lines(5000, (i) => `row ${i} ${'é'.repeat(i % 7)} ✓`);
    const { text: cut, cut: wasCut } = cutForPrompt(text, 3000, 'blob-1');
    expect(wasCut).toBe(true);
    const match = NOTE.exec(cut)!;
    const [head, tail] = [cut.slice(0, match.index), cut.slice(match.index + match[0].length)];
    const omitted = Number(match[1]);
    expect(Number(match[3])).toBe(Buffer.byteLength(text));
    expect(Buffer.byteLength(head) + omitted + Buffer.byteLength(tail)).toBe(Buffer.byteLength(text));
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(tail)).toBe(true);
    expect(head.endsWith('\n')).toBe(true);
    expect(tail.startsWith('row ')).toBe(true);
    const middle = Buffer.from(text).subarray(Buffer.byteLength(head), Buffer.byteLength(head) + omitted).toString('utf8');
    expect(Number(match[2])).toBe(middle.split('\n').length - 1);
    expect(match[4]).toBe(`call read_output with id "blob-1" and offset ${Buffer.byteLength(head)} to read them`);
    expect(cut.length).toBeLessThan(3000 + match[0].length + 1);
  });

  test('without a blob the note says how to see less instead', () => {
    const { text } = cutForPrompt('x'.repeat(10_000), 1000);
    expect(NOTE.exec(text)![4]).toBe('narrow the command or read a smaller range to see them');
  });

  test('an output without newlines is cut at the limit', () => {
    const text = 'a'.repeat(50_000);
    const cut = cutForPrompt(text, 2000, 'id').text;
    const match = NOTE.exec(cut)!;
    expect(match.index).toBe(1200);
    expect(Number(match[1])).toBe(48_000);
    expect(Number(match[2])).toBe(0);
  });
});

describe('outputLimitFor', () => {
  test('scales with the window, with a floor and a ceiling', () => {
    expect(outputLimitFor(16_384)).toBe(3441);
    expect(outputLimitFor(32_768)).toBe(6881);
    expect(outputLimitFor(262_144)).toBe(20_000);
    expect(outputLimitFor(4096)).toBe(3000);
    expect(outputLimitFor(undefined)).toBe(outputLimitFor(32_768));
    // At 16k tokens an output takes about 6% of the window.
    expect(outputLimitFor(16_384) / 3.5 / 16_384).toBeLessThan(0.07);
  });
});
