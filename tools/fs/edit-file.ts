/**
 * edit_file and multi_edit: exact string replacement in one file. The file is
 * read, every edit is applied in memory (all or nothing), and the result is
 * written atomically with the file's own line ends, BOM and mode.
 */
import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult } from '../common/tool-result.js';
import { applyEdits, type Edit, snippetAround } from './apply-edits.js';
import { writeFileAtomic } from './atomic-write.js';
import { type FsContext, workspacePath } from './fs-context.js';
import { encodeText, readTextFile } from './text-file.js';

const editShape = {
  old_string: z.string(),
  new_string: z.string(),
  replace_all: z.boolean().optional(),
};

const editFileSchema = z.object({ path: z.string(), ...editShape });
const multiEditSchema = z.object({ path: z.string(), edits: z.array(z.object(editShape)).min(1) });

const notIdempotentEdit = { readOnlyHint: false, destructiveHint: true, idempotentHint: false } as const;

export function registerEditTools(server: McpServer, context: FsContext): void {
  registerBuiltinTool(server, 'edit_file', {
    description: new URL('./edit-file.md', import.meta.url),
    inputSchema: editFileSchema,
    annotations: notIdempotentEdit,
    run: ({ path, ...edit }) => editTextFile(context, path, [edit]),
  });
  registerBuiltinTool(server, 'multi_edit', {
    description: new URL('./multi-edit.md', import.meta.url),
    inputSchema: multiEditSchema,
    annotations: notIdempotentEdit,
    run: ({ path, edits }) => editTextFile(context, path, edits),
  });
}

async function editTextFile(context: FsContext, path: string, edits: readonly Edit[]): Promise<CallToolResult> {
  const target = await workspacePath(context, path);
  const file = await readTextFile(target.absolute, target.shown);
  const { text, outcomes } = applyEdits(file.text, edits, target.shown);
  await writeFileAtomic(target.absolute, encodeText(text, file));
  const replacements = outcomes.reduce((sum, outcome) => sum + outcome.replacements, 0);
  const last = outcomes.at(-1);
  const summary = `edited ${target.shown}: ${replacements} replacement${replacements === 1 ? '' : 's'}`;
  if (!last) return textResult(summary);
  return textResult(`${summary}; lines ${last.firstLine}-${last.lastLine} now read:\n${snippetAround(text, last.firstLine, last.lastLine)}`);
}
