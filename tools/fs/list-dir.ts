/**
 * list_dir: the entries of one directory, directories first with a trailing
 * `/`, files with their size; entries ignored by .gitignore are summarised in
 * one line instead of listed.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { GitignoreFilter } from './gitignore-filter.js';
import { formatBytes } from './text-file.js';
import { toRootRelative } from './workspace-files.js';

/** Entries listed at most. */
export const MAX_DIR_ENTRIES = 500;

const inputSchema = z.object({ path: z.string().optional().describe('default: root') });

export function registerListDir(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'list_dir', {
    description: new URL('./list-dir.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    run: async ({ path = '.' }) => {
      const dir = await workspacePath(context, path);
      let entries: Dirent[];
      try {
        entries = await readdir(dir.absolute, { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') throw new ToolError(`${dir.shown} is a file, not a directory; use read_file`);
        if (code === 'ENOENT') throw new ToolError(`${dir.shown} does not exist; list its parent directory to see what is there`);
        throw error;
      }
      const filter = new GitignoreFilter(context.root);
      const listed: { name: string; line: string; isDir: boolean }[] = [];
      const ignored: string[] = [];
      for (const entry of entries) {
        const isDir = entry.isDirectory();
        const rel = toRootRelative(context.root, join(dir.absolute, entry.name));
        if (await filter.isIgnored(rel, isDir)) {
          ignored.push(isDir ? `${entry.name}/` : entry.name);
          continue;
        }
        listed.push({ name: entry.name, isDir, line: await describeEntry(dir.absolute, entry) });
      }
      listed.sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.name.localeCompare(b.name));
      const lines = listed.slice(0, MAX_DIR_ENTRIES).map((entry) => entry.line);
      if (listed.length > MAX_DIR_ENTRIES) lines.push(`[${MAX_DIR_ENTRIES} of ${listed.length} entries shown; use glob to narrow]`);
      if (ignored.length > 0) {
        const names = ignored.sort().slice(0, 10).join(' ');
        lines.push(`[${ignored.length} ignored by .gitignore: ${names}${ignored.length > 10 ? ' …' : ''}]`);
      }
      return textResult(lines.length > 0 ? lines.join('\n') : `(${dir.shown} is empty)`);
    },
  });
}

async function describeEntry(dir: string, entry: Dirent): Promise<string> {
  if (entry.isDirectory()) return `${entry.name}/`;
  if (entry.isSymbolicLink()) return `${entry.name}@`;
  const info = await stat(join(dir, entry.name)).catch(() => undefined);
  return info ? `${entry.name}  ${formatBytes(info.size)}` : entry.name;
}
