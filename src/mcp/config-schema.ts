/**
 * The `mcpServers` entry as users write it (the common format shared by Claude
 * Code, Gemini CLI, Qwen Code and Cursor), validated with zod, and the normalised
 * form the host consumes. Keys other tools add (`alwaysAllow`, `trust`...) are
 * ignored rather than refused, so one `.mcp.json` serves every client.
 */
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());
const toolList = z.array(z.string().min(1));
const milliseconds = z.number().int().positive();

const commonKeys = {
  includeTools: toolList.optional(),
  excludeTools: toolList.optional(),
  timeout: milliseconds.optional(),
  maxTotalTimeout: milliseconds.optional(),
  sandbox: z.boolean().optional(),
  disabled: z.boolean().optional(),
};

/** One raw entry; the transport is decided afterwards from `type`, `command`, `url`, `httpUrl`. */
export const rawServerSchema = z.object({
  type: z.enum(['stdio', 'http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().min(1).optional(),
  url: z.url().optional(),
  httpUrl: z.url().optional(),
  headers: stringMap.optional(),
  ...commonKeys,
});

export const mcpFileSchema = z.object({
  mcpServers: z.record(z.string(), z.unknown()).optional(),
});

export type RawServerEntry = z.infer<typeof rawServerSchema>;

/** Options every server kind shares. */
export interface ServerPolicy {
  /** Only these MCP tool names are offered to the model. @default every tool */
  includeTools?: string[];
  /** These MCP tool names are hidden; wins over includeTools. */
  excludeTools?: string[];
  /** Idle time (ms) a call may go without a response or a progress notification. @default 120000 */
  timeout?: number;
  /** Absolute cap (ms) on one call, progress or not. @default 1800000 */
  maxTotalTimeout?: number;
  /** Run a stdio server inside the session's sandbox instead of on the host. @default false */
  sandbox?: boolean;
  /** Listed but never started. @default false */
  disabled?: boolean;
}

export interface StdioServerConfig extends ServerPolicy {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface HttpServerConfig extends ServerPolicy {
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** Turns a validated raw entry into the host's form; returns an error message naming the key when it cannot. */
export function normaliseServer(raw: RawServerEntry): McpServerConfig | { error: string; key: string } {
  const policy: ServerPolicy = {
    includeTools: raw.includeTools,
    excludeTools: raw.excludeTools,
    timeout: raw.timeout,
    maxTotalTimeout: raw.maxTotalTimeout,
    sandbox: raw.sandbox,
    disabled: raw.disabled,
  };
  for (const key of Object.keys(policy) as (keyof ServerPolicy)[]) if (policy[key] === undefined) delete policy[key];
  const url = raw.httpUrl ?? raw.url;
  const type = raw.type ?? (raw.command !== undefined ? 'stdio' : url !== undefined ? 'http' : undefined);
  switch (type) {
    case undefined:
      return { key: 'command', error: 'needs "command" (a stdio server) or "url" (an HTTP server)' };
    case 'stdio':
      if (raw.command === undefined) return { key: 'command', error: 'a stdio server needs "command"' };
      return {
        transport: 'stdio',
        command: raw.command,
        args: raw.args ?? [],
        env: raw.env ?? {},
        ...(raw.cwd !== undefined ? { cwd: raw.cwd } : {}),
        ...policy,
      };
    case 'http':
    case 'streamable-http':
    case 'streamableHttp':
    case 'sse':
      if (url === undefined) return { key: 'url', error: `a "${type}" server needs "url"` };
      return { transport: type === 'sse' ? 'sse' : 'http', url, headers: raw.headers ?? {}, ...policy };
    default: {
      const never: never = type;
      return { key: 'type', error: `unknown type ${String(never)}` };
    }
  }
}
