/**
 * The UI's string-width (src/ui/string-width.ts) answers what string-width
 * itself answers: for every character of its fast path, alone, in runs and
 * next to others, and for what it hands over (emoji, CJK, combining marks,
 * escape sequences, the wide reading of ambiguous characters).
 */
import stringWidth from 'string-width';
import { describe, expect, test } from 'vitest';
import terminalWidth, { ONE_COLUMN } from '../../src/ui/string-width.js';

/** Every code point of the Basic Multilingual Plane that the fast path takes alone. */
function fastPathCharacters(): string[] {
  const found: string[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const character = String.fromCharCode(code);
    if (ONE_COLUMN.test(character)) found.push(character);
  }
  return found;
}

describe('the fast path', () => {
  const characters = fastPathCharacters();

  test('covers the characters a frame is drawn with', () => {
    for (const character of ['─', '│', '╭', '╮', '╰', '╯', '⠋', '⠙', '›', '·', '…', '•', '→', '▌', '■', '●', 'é', 'ß']) {
      expect(characters, character).toContain(character);
    }
    for (const character of ['\u00ad', '\u200b', '\u0301', '中', '\u25fd', '\u25fe', '\u001b', '\u2028', '\ufe0f']) {
      expect(characters, `U+${character.codePointAt(0)!.toString(16)}`).not.toContain(character);
    }
  });

  test('each of its characters is one column, as string-width says', () => {
    const differing = characters.filter((character) => stringWidth(character) !== 1 || terminalWidth(character) !== 1);
    expect(differing.map((character) => `U+${character.codePointAt(0)!.toString(16)}`)).toEqual([]);
  });

  test('runs of them, in any order, are as wide as string-width says', () => {
    // A fixed-seed walk through the set: neighbours that could join into one cluster would show here.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let run = 0; run < 2000; run++) {
      let text = '';
      const length = 1 + (next() % 12);
      for (let i = 0; i < length; i++) text += characters[next() % characters.length];
      expect(terminalWidth(text), JSON.stringify(text)).toBe(stringWidth(text));
    }
    for (let i = 0; i + 1 < characters.length; i++) {
      const pair = characters[i]! + characters[i + 1]!;
      expect(terminalWidth(pair), JSON.stringify(pair)).toBe(stringWidth(pair));
    }
  });
});

test('what the fast path does not take, string-width answers', () => {
  const cases: [string, Parameters<typeof stringWidth>[1]?][] = [
    ['╭─ 中文 ─╮'],
    ['ok 👍'],
    ['e\u0301'],
    ['\u001b[31mred\u001b[39m │'],
    ['\u001b[31mred\u001b[39m', { countAnsiEscapeCodes: true }],
    ['│ ± ° │', { ambiguousIsNarrow: false }],
    ['soft\u00adhyphen'],
    ['↔\ufe0f'],
    [''],
  ];
  for (const [text, options] of cases) expect(terminalWidth(text, options), JSON.stringify(text)).toBe(stringWidth(text, options));
  expect(terminalWidth('│ ± ° │', { ambiguousIsNarrow: false })).toBeGreaterThan(7);
});
