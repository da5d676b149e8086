/**
 * grep: regular-expression search over the workspace, .gitignore respected.
 * Runs ripgrep when it is on PATH, else the JS engine; both give
 * `path:line:text` lines in path order, capped, with long lines shortened.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { grepWithJs } from './grep-js.js';
import { grepWithRipgrep, ripgrepAvailable } from './grep-ripgrep.js';
import type { GrepMatch, GrepQuery } from './grep-types.js';
import { checkPattern } from './glob.js';

/** Matches listed at most. */
export const MAX_GREP_MATCHES = 100;
/** Characters kept of a matching line. */
export const MAX_GREP_LINE_CHARS = 300;

const inputSchema = z.object({
  pattern: z.string(),
  path: z.string().optional().describe('file or dir (default: root)'),
  glob: z.string().optional().describe('e.g. *.ts'),
  ignore_case: z.boolean().optional(),
});

/** Which engine grep would use in this context. */
export async function chooseGrepEngine(context: FsContext): Promise<'ripgrep' | 'js'> {
  switch (context.grepEngine) {
    case 'ripgrep':
    case 'js':
      return context.grepEngine;
    case 'auto':
      return (await ripgrepAvailable(context.ripgrepPath)) ? 'ripgrep' : 'js';
    default: {
      const unknown: never = context.grepEngine;
      throw new Error(`unknown grep engine ${String(unknown)}`);
    }
  }
}

export function registerGrep(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'grep', {
    description: new URL('./grep.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    run: async ({ pattern, path = '.', glob, ignore_case = false }, { signal }) => {
      if (pattern === '') throw new ToolError('pattern is empty; give a regular expression');
      if (glob !== undefined) checkPattern(glob);
      const target = await workspacePath(context, path);
      const info = await stat(target.absolute).catch(() => undefined);
      if (!info) throw new ToolError(`${target.shown} does not exist; check the path with list_dir or glob`);
      const query: GrepQuery = {
        root: context.root,
        target: target.absolute,
        targetIsFile: info.isFile(),
        pattern,
        glob,
        ignoreCase: ignore_case,
        maxMatches: MAX_GREP_MATCHES + 1,
        signal,
      };
      const engine = await chooseGrepEngine(context);
      const matches = engine === 'ripgrep' ? await grepWithRipgrep(query, context.ripgrepPath) : await grepWithJs(query);
      if (matches.length === 0) return textResult(`no matches for ${pattern} in ${target.shown}`);
      return textResult(renderMatches(matches));
    },
  });
}

export function renderMatches(matches: readonly GrepMatch[]): string {
  const lines = matches.slice(0, MAX_GREP_MATCHES).map(({ path, line, text }) => {
    const cut = text.length > MAX_GREP_LINE_CHARS ? `${text.slice(0, MAX_GREP_LINE_CHARS)}… [+${text.length - MAX_GREP_LINE_CHARS} chars]` : text;
    return `${path}:${line}:${cut}`;
  });
  if (matches.length > MAX_GREP_MATCHES) lines.push(`[first ${MAX_GREP_MATCHES} matches shown, more exist; narrow with path or glob]`);
  return lines.join('\n');
}
