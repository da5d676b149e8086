/**
 * Streams cut tags anywhere: `<tool_` at the end of one chunk, `call>` at the start
 * of the next. The text scanners hold back such a tail until the next chunk says
 * whether it was a tag.
 */

/**
 * Length of the tail of `text` that could be the start of one of `tags` (each with a
 * single `<`, at its start). 0 when nothing needs holding back.
 */
export function partialTagLength(text: string, tags: readonly string[]): number {
  const last = text.lastIndexOf('<');
  if (last === -1) return 0;
  const tail = text.slice(last);
  for (const tag of tags) {
    if (tail.length < tag.length && tag.startsWith(tail)) return tail.length;
  }
  return 0;
}

/** First index of any of `tags` in `text` at or after `from`, with the tag found. */
export function findFirstTag(
  text: string,
  tags: readonly string[],
  from: number,
): { index: number; tag: string } | undefined {
  let best: { index: number; tag: string } | undefined;
  for (const tag of tags) {
    const index = text.indexOf(tag, from);
    if (index !== -1 && (best === undefined || index < best.index)) best = { index, tag };
  }
  return best;
}
