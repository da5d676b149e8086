/**
 * Text files as the fs tools see them: UTF-8 only (binary files are refused
 * with a message), size-limited, with the line ending style and byte-order
 * mark remembered so that an edit writes them back unchanged. Tools work on
 * `text` with `\n` line ends; `encodeText` restores the file's own style.
 */
import { readFile, stat } from 'node:fs/promises';
import { ToolError } from '../common/tool-result.js';

/** Files larger than this are refused by the text tools (read_file pages within it). @default 10 MiB */
export const MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024;

export type LineEnding = '\n' | '\r\n';

export interface TextFile {
  /** Content with `\n` line ends (when the file is CRLF throughout) and no BOM. */
  text: string;
  eol: LineEnding;
  bom: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why `bytes` is not editable text, or undefined when it is UTF-8 text. */
export function binaryReason(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return 'it contains NUL bytes';
  try {
    utf8.decode(bytes);
    return undefined;
  } catch {
    return 'it is not valid UTF-8';
  }
}

/** Decodes file bytes; a file whose line ends are all CRLF gets `eol: '\r\n'` and `\n` in `text`. */
export function decodeText(bytes: Uint8Array, shownPath: string): TextFile {
  const reason = binaryReason(bytes);
  if (reason) throw new ToolError(`${shownPath} looks binary (${reason}); the fs tools read and edit text files only`);
  let text = utf8.decode(bytes);
  const bom = text.startsWith('\uFEFF');
  if (bom) text = text.slice(1);
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1;
  const eol: LineEnding = crlf > 0 && crlf === lf ? '\r\n' : '\n';
  if (eol === '\r\n') text = text.replaceAll('\r\n', '\n');
  return { text, eol, bom };
}

/** The bytes to write for `text` (with `\n` line ends) in the given style. */
export function encodeText(text: string, style: { eol: LineEnding; bom: boolean }): string {
  const body = style.eol === '\r\n' ? text.replace(/\r?\n/g, '\r\n') : text;
  return style.bom ? `\uFEFF${body}` : body;
}

/** Reads a text file within MAX_TEXT_FILE_BYTES; failures are ToolErrors naming `shownPath`. */
export async function readTextFile(absolute: string, shownPath: string, maxBytes = MAX_TEXT_FILE_BYTES): Promise<TextFile> {
  const info = await statFile(absolute, shownPath);
  if (info.size > maxBytes) {
    throw new ToolError(
      `${shownPath} is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit of the fs tools; find the lines you need with grep, then use run_shell (e.g. sed -n '100,200p')`,
    );
  }
  return decodeText(await readFile(absolute), shownPath);
}

/** stat() that turns "missing" and "is a directory" into ToolErrors the model can act on. */
export async function statFile(absolute: string, shownPath: string) {
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToolError(`${shownPath} does not exist; check the path with list_dir or glob`);
    }
    throw error;
  }
  if (info.isDirectory()) throw new ToolError(`${shownPath} is a directory; use list_dir to see its entries`);
  if (!info.isFile()) throw new ToolError(`${shownPath} is not a regular file (a device, socket or pipe); the fs tools read regular files only`);
  return info;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
