/**
 * One way to register a built-in tool, shared by the fs, shell and git servers:
 * the description comes from the tool's sibling .md file, the three hints that
 * the session journal relies on are required (never left to defaults), and
 * anything the handler throws becomes an `isError` result instead of a
 * protocol error. Usage:
 *
 *   registerBuiltinTool(server, 'read_file', {
 *     description: new URL('./read-file.md', import.meta.url),
 *     inputSchema: z.object({ path: z.string() }),
 *     annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
 *     run: async ({ path }, { signal }) => textResult(...),
 *   });
 */
import type { CallToolResult, McpServer, RegisteredTool, ServerContext } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { loadToolDescription } from './tool-description.js';
import { describeToolFailure, errorResult } from './tool-result.js';

/**
 * The MCP hints the journal decides from after a crash: a call with
 * `readOnlyHint` or `idempotentHint` runs again, any other is reported as
 * interrupted. All three are required so no tool inherits a default by accident.
 */
export interface HonestAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  /** Whether the tool reaches beyond the workspace (network, other hosts). @default false */
  openWorldHint?: boolean;
}

/** What a handler gets besides its arguments. */
export interface ToolRunContext {
  /** Aborted when the client cancels the call (`notifications/cancelled`) or the connection closes. */
  signal: AbortSignal;
  /** The SDK's full request context, for progress notifications and the like. */
  mcp: ServerContext;
}

export interface BuiltinToolSpec<S extends z.ZodObject> {
  /** URL of the sibling .md file, e.g. `new URL('./read-file.md', import.meta.url)`; or the text itself. */
  description: URL | string;
  /** zod 4 object schema; the SDK validates arguments with it and a mismatch is an `isError` result. */
  inputSchema: S;
  annotations: HonestAnnotations;
  run: (args: z.output<S>, context: ToolRunContext) => Promise<CallToolResult> | CallToolResult;
}

/** Registers `name` on `server`; a thrown error becomes `errorResult(describeToolFailure(error))`. */
export function registerBuiltinTool<S extends z.ZodObject>(
  server: McpServer,
  name: string,
  spec: BuiltinToolSpec<S>,
): RegisteredTool {
  const description = typeof spec.description === 'string' ? spec.description : loadToolDescription(spec.description);
  const annotations = { openWorldHint: false, ...spec.annotations };
  return server.registerTool(name, { description, inputSchema: spec.inputSchema, annotations }, (async (
    args: z.output<S>,
    ctx: ServerContext,
  ) => {
    try {
      return await spec.run(args, { signal: ctx.mcpReq.signal, mcp: ctx });
    } catch (error) {
      return errorResult(describeToolFailure(error));
    }
  }) as never);
}
