/**
 * Where MCP server definitions come from and how the layers combine: the user
 * config, the project's `.mcp.json`, then each `--mcp-config FILE`, later layers
 * overriding earlier ones by server name. Reading and validating lives here;
 * editing (`mcp add/remove`) lives in config-edit.ts, trust in trust.ts.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../shared/errors.js';
import { ExpansionError, expandDeep } from './expand-vars.js';
import { mcpFileSchema, normaliseServer, rawServerSchema, type McpServerConfig } from './config-schema.js';

export type { McpServerConfig, StdioServerConfig, HttpServerConfig, ServerPolicy } from './config-schema.js';

export type ConfigLayer = 'user' | 'project' | 'flag';

export interface ConfiguredServer {
  name: string;
  layer: ConfigLayer;
  /** The file the entry came from, for messages and `mcp list`. */
  file: string;
  config: McpServerConfig;
}

export interface ListedServer extends ConfiguredServer {
  /** A later layer defines a server of the same name. */
  shadowed: boolean;
}

export interface LoadedMcpConfig {
  /** Effective servers, sorted by name. */
  servers: ConfiguredServer[];
  /** Every entry of every layer in layer order, overridden ones included. */
  entries: ListedServer[];
  /** The project's `.mcp.json` exactly as read; trust is keyed on it. */
  projectFile?: { path: string; content: string };
}

export interface McpConfigSources {
  projectRoot: string;
  env: Record<string, string | undefined>;
  /** `--mcp-config` files, in flag order. @default [] */
  configFiles?: string[];
  /** @default userConfigPath(env) */
  userConfig?: string;
}

export function userConfigPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'endure', 'config.json');
}

export function projectConfigPath(projectRoot: string): string {
  return join(projectRoot, '.mcp.json');
}

export async function loadMcpConfig(sources: McpConfigSources): Promise<LoadedMcpConfig> {
  const userFile = sources.userConfig ?? userConfigPath(sources.env);
  const projectPath = projectConfigPath(sources.projectRoot);
  const layers: { layer: ConfigLayer; file: string; required: boolean }[] = [
    { layer: 'user', file: userFile, required: false },
    { layer: 'project', file: projectPath, required: false },
    ...(sources.configFiles ?? []).map((file) => ({
      layer: 'flag' as const,
      file: resolve(sources.projectRoot, file),
      required: true,
    })),
  ];
  const entries: ListedServer[] = [];
  let projectFile: LoadedMcpConfig['projectFile'];
  for (const { layer, file, required } of layers) {
    const text = await readText(file, required);
    if (text === undefined) continue;
    if (layer === 'project') projectFile = { path: file, content: text };
    for (const server of parseMcpFile(file, text, sources.env, layer)) {
      for (const earlier of entries) if (earlier.name === server.name) earlier.shadowed = true;
      entries.push({ ...server, shadowed: false });
    }
  }
  const servers = entries
    .filter((entry) => !entry.shadowed)
    .map(({ shadowed: _shadowed, ...server }) => server)
    .sort((a, b) => compareNames(a.name, b.name));
  return { servers, entries, ...(projectFile ? { projectFile } : {}) };
}

/** Parses one file's `mcpServers`; throws a ConfigError naming the file, the server and the key. */
export function parseMcpFile(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
  layer: ConfigLayer,
): ConfiguredServer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('invalid_json', `${file}: invalid JSON (${(error as Error).message}); fix the file`, { cause: error });
  }
  const file_ = mcpFileSchema.safeParse(json);
  if (!file_.success) throw new ConfigError('invalid_config', `${file}: ${describeIssue(file_.error, [])}`);
  const servers: ConfiguredServer[] = [];
  for (const [name, value] of Object.entries(file_.data.mcpServers ?? {})) {
    const where = `${file}: server "${name}"`;
    if (name.trim() === '') throw new ConfigError('invalid_config', `${file}: a server has an empty name; give it a name`);
    let expanded: unknown;
    try {
      expanded = expandDeep(value, env);
    } catch (error) {
      if (!(error instanceof ExpansionError)) throw error;
      throw new ConfigError('invalid_config', `${where}, key "${error.path.join('.')}": ${error.message}`, { cause: error });
    }
    const parsed = rawServerSchema.safeParse(expanded);
    if (!parsed.success) throw new ConfigError('invalid_config', `${where}, ${describeIssue(parsed.error, [])}`);
    const config = normaliseServer(parsed.data);
    if ('error' in config) throw new ConfigError('invalid_config', `${where}, key "${config.key}": ${config.error}`);
    servers.push({ name, layer, file, config });
  }
  return servers;
}

function describeIssue(error: z.ZodError, prefix: string[]): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = [...prefix, ...issue.path.map(String)];
  const key = path.length > 0 ? `key "${path.join('.')}": ` : '';
  return `${key}${issue.message}`;
}

async function readText(file: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new ConfigError('unreadable_config', `${file}: cannot read MCP config (${code ?? (error as Error).message}); check the path`, { cause: error });
  }
}

/** Byte order, not locale order: the tool list must be identical on every machine. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
