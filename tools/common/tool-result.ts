/**
 * Tool results as the model sees them. A tool that fails returns a result with
 * `isError: true` and a message the model can act on; it never throws a
 * protocol error. Usage, in a handler:
 *
 *   if (!found) throw new ToolError(`no match for "${pattern}"; try a shorter pattern`);
 *   return textResult(body);                      // success
 *   return errorResult('file is binary; ...');    // failure, same as throwing ToolError
 *
 * `registerBuiltinTool` (define-tool.ts) catches whatever a handler throws and
 * turns it into `errorResult(describeToolFailure(error))`, so handlers may
 * simply throw `ToolError`, `PathEscapeError` or a Node fs error.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { PathEscapeError } from './paths.js';

/** A failure the model caused and can fix; its message is shown to the model verbatim. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/** A successful result with one text block, plus optional `structuredContent` for programs. */
export function textResult(text: string, structuredContent?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text }] };
  if (structuredContent !== undefined) result.structuredContent = structuredContent;
  return result;
}

/** A failed result: one text block saying what went wrong and what to do instead. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

const ERRNO_HINTS: Record<string, string> = {
  ENOENT: 'does not exist; check the path with list_dir or glob',
  EISDIR: 'is a directory, not a file; use list_dir',
  ENOTDIR: 'has a file where a directory was expected in the path',
  EACCES: 'is not accessible (permission denied)',
  EPERM: 'is not accessible (operation not permitted)',
  EEXIST: 'already exists',
  ENOTEMPTY: 'is a directory that is not empty',
  EMFILE: 'could not be opened: too many open files; try again',
  ENOSPC: 'could not be written: no space left on the device',
  EROFS: 'is on a read-only file system',
  ELOOP: 'has too many levels of symbolic links',
  ENAMETOOLONG: 'has a name that is too long',
};

/**
 * The one-line message for anything a handler threw.
 * @param shownPath how to name the path in fs errors (e.g. relative to the root); defaults to the error's own path
 */
export function describeToolFailure(error: unknown, shownPath?: string): string {
  if (error instanceof ToolError || error instanceof PathEscapeError) return error.message;
  const errno = error as NodeJS.ErrnoException;
  if (errno instanceof Error && typeof errno.code === 'string') {
    const hint = ERRNO_HINTS[errno.code];
    const subject = shownPath ?? errno.path ?? 'the path';
    if (hint) return `${subject} ${hint}`;
    return `${subject}: ${errno.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
