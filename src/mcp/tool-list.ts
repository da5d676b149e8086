/**
 * `tools/list` done defensively. The SDK's `listTools()` rejects a whole server
 * when one tool is malformed (no `inputSchema`, a non-object schema, an output
 * schema it cannot compile), so the host asks with a loose result schema, walks
 * every page itself, and checks each tool on its own: a bad tool is skipped with
 * a reason, its siblings stay usable.
 */
import { z } from 'zod';
import type { ToolAnnotations } from './types.js';

export interface ListedTool {
  name: string;
  description: string;
  /** The schema as the server sent it (converted later, for the model). */
  inputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export interface SkippedTool {
  name: string;
  reason: string;
}

/** What the host needs from an SDK client to list tools; kept narrow for tests and fixtures. */
export interface ToolLister {
  request(
    request: { method: 'tools/list'; params?: Record<string, unknown> },
    schema: typeof pageSchema,
    options?: { signal?: AbortSignal; timeout?: number },
  ): Promise<z.infer<typeof pageSchema>>;
}

export const pageSchema = z.object({ tools: z.array(z.unknown()), nextCursor: z.string().optional() }).loose();

const toolSchema = z.object({
  name: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.object({ type: z.literal('object') }).loose(),
  annotations: z.unknown().optional(),
  execution: z.object({ taskSupport: z.string().optional() }).loose().optional(),
});

const annotationsSchema = z.object({
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

const MAX_PAGES = 100;

export async function listToolsLoosely(
  client: ToolLister,
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<{ tools: ListedTool[]; skipped: SkippedTool[] }> {
  const tools: ListedTool[] = [];
  const skipped: SkippedTool[] = [];
  const seenCursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.request(
      { method: 'tools/list', ...(cursor !== undefined ? { params: { cursor } } : {}) },
      pageSchema,
      options,
    );
    for (const raw of result.tools) {
      const checked = checkTool(raw);
      if ('reason' in checked) skipped.push(checked);
      else tools.push(checked);
    }
    cursor = result.nextCursor;
    if (cursor === undefined || seenCursors.has(cursor)) break;
    seenCursors.add(cursor);
  }
  return { tools, skipped };
}

export function checkTool(raw: unknown): ListedTool | SkippedTool {
  const parsed = toolSchema.safeParse(raw);
  const name = typeof (raw as { name?: unknown } | null)?.name === 'string' ? (raw as { name: string }).name : '(unnamed)';
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { name, reason: `malformed definition (${where}${issue?.message ?? 'invalid'})` };
  }
  const tool = parsed.data;
  if (tool.execution?.taskSupport === 'required') {
    return { name, reason: 'needs task-based execution, which endure does not support' };
  }
  const annotations = annotationsSchema.safeParse(tool.annotations ?? {});
  return {
    name: tool.name,
    description: tool.description ?? tool.title ?? '',
    inputSchema: tool.inputSchema,
    annotations: annotations.success ? stripUndefined(annotations.data) : {},
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
