/**
 * Keeps git output within what the model should read in one call: diffs and
 * logs are cut at a line boundary, and the cut says how much was left out and
 * how to see the rest.
 */

/** The first `limit` bytes of `text`, ending on a whole line, plus a note when cut. */
export function capOutput(text: string, limit: number, hint: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit) return text;
  const head = Buffer.from(text).subarray(0, limit).toString('utf8').replace(/\uFFFD$/, '');
  const lastNewline = head.lastIndexOf('\n');
  const kept = lastNewline > 0 ? head.slice(0, lastNewline + 1) : head;
  const omitted = bytes - Buffer.byteLength(kept);
  return `${kept}[... ${omitted.toLocaleString('en-US')} of ${bytes.toLocaleString('en-US')} bytes omitted; ${hint} ...]\n`;
}
