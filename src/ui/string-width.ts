/**
 * string-width with a fast path, put in its place for Ink and the packages it
 * draws with when the CLI is bundled (scripts/bundle.mjs).
 *
 * string-width sends any string that is not plain ASCII through a grapheme
 * segmenter and Unicode-property regular expressions. A frame's borders,
 * spinner and separators (─ │ ╭ ⠋ › · …) are not ASCII, so every frame paid
 * for them: the first call compiles the emoji expression (about 30 ms, on the
 * way to the UI's first frame) and each later call takes 50-80 µs. The
 * characters below are one column each, one code point per cluster, whatever
 * follows them (test/ui/string-width.test.ts checks every one of them against
 * string-width itself); a string made only of them is as wide as it has code
 * points. Anything else, or any option, is string-width's to answer.
 */
import stringWidth from 'string-width';

type Options = Parameters<typeof stringWidth>[1];

/** Printable ASCII, Latin-1 and Latin Extended (no soft hyphen), dashes, quotes and bullets, arrows, box drawing, blocks and shapes, braille. */
export const ONE_COLUMN =
  /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2800-\u28ff]*$/;
const ESCAPE = /[\u001b\u009b]/;

export default function terminalWidth(text: string, options?: Options): number {
  // Box drawing and some Latin-1 letters are East Asian Ambiguous: two columns when the caller asks so.
  if (typeof text === 'string' && options?.ambiguousIsNarrow !== false && !ESCAPE.test(text) && ONE_COLUMN.test(text)) {
    // Code points, not UTF-16 units: every character above is in the Basic Multilingual Plane.
    return text.length;
  }
  return stringWidth(text, options);
}
