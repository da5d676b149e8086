/**
 * read_file: a page of a text file with line numbers. Pages are bounded by a
 * line count and a byte budget; a cut page ends with a note giving the offset
 * of the next page, and over-long lines are shortened with a note.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { readTextFile } from './text-file.js';

/** Lines per page when the model gives no limit. */
export const DEFAULT_READ_LINES = 2000;
/** Bytes of file text per page; a page stops early at this budget. */
export const MAX_PAGE_BYTES = 60_000;
/** Characters kept of a single line. */
export const MAX_LINE_CHARS = 2000;

const inputSchema = z.object({
  path: z.string(),
  offset: z.number().min(1).optional().describe('first line, 1-based'),
  limit: z.number().min(1).optional(),
});

export function registerReadFile(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'read_file', {
    description: new URL('./read-file.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    run: async ({ path, offset: first = 1, limit: count = DEFAULT_READ_LINES }) => {
      const offset = Math.floor(first);
      const limit = Math.floor(count);
      const target = await workspacePath(context, path);
      const { text } = await readTextFile(target.absolute, target.shown);
      if (text === '') return textResult(`(${target.shown} is empty)`);
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      if (offset > lines.length) {
        throw new ToolError(`offset ${offset} is past the end of ${target.shown}, which has ${lines.length} lines`);
      }
      return textResult(renderPage(lines, offset, limit));
    },
  });
}

/** Numbered lines `offset..` within `limit` lines and MAX_PAGE_BYTES, plus a note when more remain. */
export function renderPage(lines: readonly string[], offset: number, limit: number): string {
  const last = Math.min(lines.length, offset + limit - 1);
  const width = String(last).length;
  const out: string[] = [];
  let bytes = 0;
  let shortened = 0;
  let lineNumber = offset;
  for (; lineNumber <= last; lineNumber++) {
    let line = lines[lineNumber - 1] ?? '';
    if (line.length > MAX_LINE_CHARS) {
      line = `${line.slice(0, MAX_LINE_CHARS)}… [line cut: ${line.length - MAX_LINE_CHARS} more chars]`;
      shortened++;
    }
    bytes += line.length + width + 2;
    if (bytes > MAX_PAGE_BYTES && out.length > 0) break;
    out.push(`${String(lineNumber).padStart(width)}\t${line}`);
  }
  const shownLast = lineNumber - 1;
  if (shownLast < lines.length) {
    out.push(`[lines ${offset}-${shownLast} of ${lines.length}; read on with offset=${shownLast + 1}]`);
  }
  if (shortened > 0) out.push(`[${shortened} long line(s) cut at ${MAX_LINE_CHARS} chars; use grep to find text in them]`);
  return out.join('\n');
}
