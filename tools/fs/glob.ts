/**
 * glob: files matching a glob pattern under a directory of the workspace,
 * .gitignore respected, as root-relative paths, capped.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { findWorkspaceFiles } from './workspace-files.js';

/** Paths listed at most. */
export const MAX_GLOB_RESULTS = 200;

const inputSchema = z.object({
  pattern: z.string(),
  path: z.string().optional().describe('directory to search (default: root)'),
});

/** Refuses patterns that could climb out of the search directory. */
export function checkPattern(pattern: string): void {
  if (pattern.trim() === '') throw new ToolError('pattern is empty; give a glob such as **/*.ts');
  if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
    throw new ToolError(`pattern "${pattern}" leaves the search directory; use a relative pattern and set path instead`);
  }
}

export function registerGlob(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'glob', {
    description: new URL('./glob.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    run: async ({ pattern, path = '.' }, { signal }) => {
      checkPattern(pattern);
      const base = await workspacePath(context, path);
      const info = await stat(base.absolute).catch(() => undefined);
      if (!info?.isDirectory()) throw new ToolError(`${base.shown} is not a directory; give a directory as path`);
      const files = await findWorkspaceFiles({ root: context.root, base: base.absolute, pattern, signal });
      if (files.length === 0) return textResult(`no files match ${pattern} in ${base.shown}`);
      const shown = files.slice(0, MAX_GLOB_RESULTS);
      if (files.length > shown.length) shown.push(`[${MAX_GLOB_RESULTS} of ${files.length} files shown; narrow the pattern or path]`);
      return textResult(shown.join('\n'));
    },
  });
}
