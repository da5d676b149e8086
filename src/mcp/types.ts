/**
 * The MCP host as the agent loop sees it: a flat, ordered list of tools with
 * model-facing names, and one way to call them. Which server a tool lives on, its
 * transport and its sandbox are the host's business.
 */

/** MCP tool annotations; the journal decides from them what may run again after a crash. */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDescriptor {
  /** Model-facing name, matching ^[a-zA-Z0-9_-]{1,64}$ (built-in tools keep their own names). */
  name: string;
  /** The server that owns the tool ("fs", "shell", "git", or a user server's name). */
  server: string;
  /** The tool's name on its server. */
  mcpName: string;
  description: string;
  /** JSON Schema of the arguments, already converted to what Qwen servers accept. */
  inputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export interface ToolCallResult {
  /** What the model reads. */
  text: string;
  isError: boolean;
  structured?: unknown;
}

export interface ToolCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export interface ToolHost {
  /** Tools in a fixed order (the prefix cache depends on it). */
  tools(): readonly ToolDescriptor[];
  /**
   * Calls a tool by its model-facing name. Tool failures come back as
   * `isError: true`; only a host failure (server gone and not restartable) throws.
   */
  call(name: string, args: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolCallResult>;
  close(): Promise<void>;
}

/** True when a call may run again after a crash without changing anything twice. */
export function isReplayable(annotations: ToolAnnotations): boolean {
  return annotations.readOnlyHint === true || annotations.idempotentHint === true;
}
