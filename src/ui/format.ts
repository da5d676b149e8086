/**
 * Number, duration and text shaping for the terminal: the figures of the status
 * bar, ages in the session picker, and the cuts that keep live text bounded.
 */

/** 950 → "950", 12_340 → "12.3k", 4_560_000 → "4.56M". */
export function formatTokens(count: number): string {
  if (count < 1000) return String(Math.round(count));
  if (count < 1_000_000) return `${trimZero((count / 1000).toFixed(count < 10_000 ? 2 : 1))}k`;
  return `${trimZero((count / 1_000_000).toFixed(2))}M`;
}

function trimZero(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 850 → "850ms", 12_300 → "12.3s", 243_000 → "4m 03s", 7_500_000 → "2h 05m". */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 1000) return `${Math.round(safe)}ms`;
  if (safe < 60_000) return `${trimZero((safe / 1000).toFixed(1))}s`;
  const totalSeconds = Math.floor(safe / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return `${minutes}m ${pad2(seconds)}s`;
  return `${hours}h ${pad2(minutes)}m`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** A share in percent, or "–" when the whole is unknown or zero. */
export function formatShare(part: number, whole: number | undefined): string {
  if (whole === undefined || whole <= 0) return '–';
  return `${Math.round((part / whole) * 100)}%`;
}

/** How long ago, coarse: "just now", "5m ago", "3h ago", "2d ago". */
export function formatAge(thenMs: number, nowMs: number): string {
  const ms = Math.max(0, nowMs - thenMs);
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h ago`;
  return `${Math.floor(ms / 86_400_000)}d ago`;
}

/** Cuts one line to `max` characters, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/**
 * Appends streamed text and keeps only the last `max` characters, so the cost of a
 * delta never grows with the length of the turn.
 */
export function appendTail(tail: string, text: string, max: number): string {
  const joined = tail + text;
  return joined.length <= max ? joined : joined.slice(joined.length - max);
}

/** The last `count` lines of a text (a partial first line when the text was cut). */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split('\n');
  return lines.length <= count ? lines : lines.slice(lines.length - count);
}

/** The first `count` lines and how many were left out, looking at no more than needed. */
export function firstLines(whole: string, count: number): { lines: string[]; more: number } {
  const text = whole.endsWith('\n') ? whole.slice(0, -1) : whole;
  const lines: string[] = [];
  let start = 0;
  while (lines.length < count && start <= text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      lines.push(text.slice(start));
      return { lines, more: 0 };
    }
    lines.push(text.slice(start, end));
    start = end + 1;
  }
  if (start >= text.length) return { lines, more: 0 };
  return { lines, more: countLines(text, start) };
}

function countLines(text: string, from: number): number {
  let count = 1;
  for (let index = text.indexOf('\n', from); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/** `1 more line`, `2 more lines`: a count with its noun, plural when it is not one. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** How long it thought, as the other agents say it: "0.4s", "12s", "2m 03s". */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${trimZero((Math.max(0, ms) / 1000).toFixed(1))}s` : formatDuration(ms);
}
