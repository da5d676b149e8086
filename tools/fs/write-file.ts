/**
 * write_file: replaces a whole file (or creates it, with its parent
 * directories). An existing file keeps its mode, its CRLF line ends and its
 * byte-order mark; the write is atomic.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import { writeFileAtomic } from './atomic-write.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { decodeText, encodeText, formatBytes, type LineEnding } from './text-file.js';

const inputSchema = z.object({ path: z.string(), content: z.string() });

export function registerWriteFile(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'write_file', {
    description: new URL('./write-file.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    run: async ({ path, content }) => {
      const target = await workspacePath(context, path);
      const style = await existingStyle(target.absolute, target.shown);
      const bytes = Buffer.from(encodeText(content, style ?? { eol: '\n', bom: false }));
      await writeFileAtomic(target.absolute, bytes);
      const lines = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
      const verb = style ? 'replaced' : 'created';
      const eolNote = style?.eol === '\r\n' ? ', CRLF line ends kept' : '';
      return textResult(`${verb} ${target.shown} (${lines} lines, ${formatBytes(bytes.length)}${eolNote})`);
    },
  });
}

/** The line-end style of the file being replaced, or undefined when it does not exist yet. */
async function existingStyle(absolute: string, shown: string): Promise<{ eol: LineEnding; bom: boolean } | undefined> {
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (info.isDirectory()) throw new ToolError(`${shown} is a directory; give a file path`);
  if (!info.isFile()) throw new ToolError(`${shown} is not a regular file (a device, socket or pipe); write_file replaces regular files only`);
  const bytes = await readFile(absolute);
  try {
    const { eol, bom } = decodeText(bytes, shown);
    return { eol, bom };
  } catch {
    return { eol: '\n', bom: false };
  }
}
