/**
 * `@path` mentions: a message that names a workspace file or directory gets its
 * content (or listing) attached after the text, so the model needs no read_file
 * call for what the person pointed at. Only paths inside the workspace (after
 * symlinks) are read; a path outside it is refused in one line; an `@` not
 * followed by an existing path (an @handle, a decorator) is left as it is.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DEFAULT_CHARS_PER_TOKEN } from './tokens.js';

/** @default 256 KB of one file attached; the rest is cut with a note. */
export const MAX_MENTION_BYTES = 256 * 1024;
/** Share of the context window the attachments of one message may fill. */
export const MENTION_WINDOW_SHARE = 0.25;

/** @default 500 entries of a directory listing. */
export const MAX_LISTING_ENTRIES = 500;

/** Where the attachments start in a message; what comes before is what the person typed. */
const ATTACHMENT_START = '\n\n<attachment path="';

/** A mention that cannot be attached (outside the workspace); its message says so in one line. */
export class MentionError extends Error {}

const MENTION = /(^|\s)@([^\s@]+)/g;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The mention's existing path: as written, else without trailing punctuation (`see @a.ts.`). */
function existingPath(root: string, written: string): { written: string; path: string } | undefined {
  for (let candidate = written; candidate !== ''; candidate = candidate.slice(0, -1)) {
    const path = resolve(root, candidate);
    if (existsSync(path)) return { written: candidate, path };
    if (!/[.,;:!?)\]}'"`]$/.test(candidate)) return undefined;
  }
  return undefined;
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The bytes the attachments of one message may take in a context window of `contextWindow` tokens (no bound when unknown). */
export function mentionBudget(contextWindow: number | undefined): number | undefined {
  return contextWindow === undefined ? undefined : Math.floor(contextWindow * DEFAULT_CHARS_PER_TOKEN * MENTION_WINDOW_SHARE);
}

function fileAttachment(path: string, shown: string, maxBytes: number, fitsWindow: boolean): string {
  const size = statSync(path).size;
  const head = readHead(path, Math.min(size, maxBytes));
  if (head.includes(0)) return `(a binary file of ${size} bytes; not attached)`;
  let text = head.toString('utf8');
  if (size > maxBytes) {
    text = text.slice(0, text.lastIndexOf('\n') + 1 || text.length);
    const why = fitsWindow ? `the first ${Math.round(maxBytes / 1024)} KB are attached` : `the first ${Math.round(maxBytes / 1024)} KB fit the context window`;
    text += `[… cut: ${shown} has ${size} bytes; ${why}; read_file reads the rest]\n`;
  }
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

function directoryAttachment(path: string): string {
  const entries = readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== '.git')
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();
  const shown = entries.slice(0, MAX_LISTING_ENTRIES);
  const more = entries.length - shown.length;
  return `${shown.join('\n')}${shown.length > 0 ? '\n' : '(empty directory)\n'}${more > 0 ? `[… ${more} more entries]\n` : ''}`;
}

/**
 * The message with every mentioned file or directory attached (each once, in
 * order of mention). Throws MentionError for an existing path outside `root`.
 */
export function attachMentions(text: string, root: string, limits: { maxBytes?: number; budget?: number } = {}): string {
  const maxBytes = limits.maxBytes ?? MAX_MENTION_BYTES;
  let left = limits.budget ?? Number.POSITIVE_INFINITY;
  const realRoot = realpathSync(root);
  const attached: string[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const found = existingPath(root, match[2]!);
    if (found === undefined) continue;
    const real = realpathSync(found.path);
    if (!inside(realRoot, real)) throw new MentionError(`@${found.written} is outside the workspace (${root}); only files inside it can be attached`);
    if (seen.has(real)) continue;
    seen.add(real);
    const shown = relative(realRoot, real).split(sep).join('/') || '.';
    const isDir = statSync(real).isDirectory();
    const allowed = Math.max(0, Math.min(maxBytes, left));
    const body = isDir ? directoryAttachment(real) : fileAttachment(real, shown, allowed, allowed === maxBytes);
    left -= Buffer.byteLength(body);
    attached.push(`${ATTACHMENT_START}${shown}" kind="${isDir ? 'directory' : 'file'}">\n${body}</attachment>`);
  }
  return attached.length === 0 ? text : `${text}${attached.join('')}`;
}

/** What the person typed and the paths attached to it, for showing a message. */
export function splitAttachments(content: string): { text: string; attachments: string[] } {
  const start = content.indexOf(ATTACHMENT_START);
  if (start === -1) return { text: content, attachments: [] };
  const attachments = [...content.slice(start).matchAll(/\n\n<attachment path="([^"]*)" kind="(file|directory)">/g)].map((match) => match[1]!);
  return { text: content.slice(0, start), attachments };
}

/** Entries of a workspace directory for Tab completion (`/` after directories); [] outside the workspace. */
export function listWorkspaceDirectory(root: string, relativeDir: string): string[] {
  try {
    const realRoot = realpathSync(root);
    const dir = realpathSync(resolve(root, relativeDir === '' ? '.' : relativeDir));
    if (!inside(realRoot, dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.name !== '.git')
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
      .sort();
  } catch {
    return [];
  }
}
