/**
 * Tool-output discipline: an output above the limit goes into the prompt as head
 * and tail plus one line that says how much was left out and how to read it; the
 * whole output stays in a blob of the session.
 */

export interface CutOutput {
  /** What the model reads. */
  text: string;
  /** True when `text` is not the whole output. */
  cut: boolean;
}

/** Share of the limit given to the head; the tail gets the rest (errors tend to be at the end). */
const HEAD_SHARE = 0.6;

/**
 * The per-output limit in characters, scaled with the context window so that
 * small windows (16k tokens) still leave room for the conversation.
 * @default window unknown: 32k tokens assumed
 */
export function outputLimitFor(contextWindow: number | undefined): number {
  const tokens = (contextWindow ?? 32_768) * 0.06;
  return Math.max(3_000, Math.min(20_000, Math.round(tokens * 3.5)));
}

function cutAtLineEnd(text: string, at: number): number {
  const newline = text.lastIndexOf('\n', at);
  return newline > at * 0.8 ? newline + 1 : at;
}

function cutAtLineStart(text: string, at: number): number {
  const newline = text.indexOf('\n', at);
  return newline !== -1 && newline - at < (text.length - at) * 0.2 ? newline + 1 : at;
}

function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * Cuts `text` to head and tail when it exceeds `limit` characters.
 * @param blobId the blob holding the whole output, named in the note so the model can page it
 */
export function cutForPrompt(text: string, limit: number, blobId?: string): CutOutput {
  if (text.length <= limit) return { text, cut: false };
  const headEnd = cutAtLineEnd(text, Math.floor(limit * HEAD_SHARE));
  const tailStart = cutAtLineStart(text, text.length - Math.floor(limit * (1 - HEAD_SHARE)));
  const head = text.slice(0, headEnd);
  const omittedBytes = Buffer.byteLength(text.slice(headEnd, tailStart));
  const totalBytes = Buffer.byteLength(text);
  const how = blobId
    ? `call read_output with id "${blobId}" and offset ${Buffer.byteLength(head)} to read them`
    : 'narrow the command or read a smaller range to see them';
  const note = `\n[... ${omittedBytes} bytes (${countLines(text, headEnd, tailStart)} lines) left out of ${totalBytes}; ${how} ...]\n`;
  return { text: head + note + text.slice(tailStart), cut: true };
}
