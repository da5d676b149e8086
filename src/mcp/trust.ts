/**
 * Trust for project-defined MCP servers. A repository's `.mcp.json` can start
 * any program, so its servers never start until the user approves that exact
 * file for that exact project: the approval is keyed on the project's real path
 * and a hash of the file's bytes, and a changed file asks again. User-config
 * and `--mcp-config` servers are the user's own and need no approval.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { resolveHome } from '../../sessions/home.js';
import { ConfigError } from '../shared/errors.js';
import type { ConfiguredServer, LoadedMcpConfig } from './config.js';

/** The state home, the same one the sessions live under (sessions/home.ts). */
export function stateHome(env: Record<string, string | undefined>): string {
  return resolveHome(env);
}

const trustFileSchema = z.object({
  version: z.literal(1),
  projects: z.record(z.string(), z.object({ sha256: z.string(), trustedAt: z.string() })),
});
type TrustFile = z.infer<typeof trustFileSchema>;

export interface TrustStore {
  /** True when this project's `.mcp.json`, with exactly this content, was approved. */
  isTrusted(projectRoot: string, content: string): boolean;
  /** Approves this content for this project (replacing an older approval). */
  trust(projectRoot: string, content: string): void;
  readonly file: string;
}

export function createTrustStore(home: string): TrustStore {
  const file = join(home, 'trust.json');
  const read = (): TrustFile => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return { version: 1, projects: {} };
    }
    let parsed: ReturnType<typeof trustFileSchema.safeParse>;
    try {
      parsed = trustFileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = trustFileSchema.safeParse(undefined);
    }
    if (!parsed.success) {
      throw new ConfigError('invalid_trust_store', `${file}: unreadable trust store; delete it and run "endure mcp trust" again`);
    }
    return parsed.data;
  };
  return {
    file,
    isTrusted(projectRoot, content) {
      return read().projects[projectKey(projectRoot)]?.sha256 === contentHash(content);
    },
    trust(projectRoot, content) {
      const data = read();
      data.projects[projectKey(projectRoot)] = { sha256: contentHash(content), trustedAt: new Date().toISOString() };
      mkdirSync(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    },
  };
}

/**
 * Project servers that may not start yet. Empty when there is no `.mcp.json`,
 * when it is trusted, or when `trustProject` (`--trust-project-mcp`) is set.
 */
export function untrustedServers(
  loaded: LoadedMcpConfig,
  projectRoot: string,
  store: TrustStore,
  trustProject = false,
): ConfiguredServer[] {
  if (trustProject || loaded.projectFile === undefined) return [];
  if (store.isTrusted(projectRoot, loaded.projectFile.content)) return [];
  return loaded.servers.filter((server) => server.layer === 'project');
}

/** The servers allowed to start: everything except untrusted project servers and disabled ones. */
export function startableServers(loaded: LoadedMcpConfig, untrusted: readonly ConfiguredServer[]): ConfiguredServer[] {
  const blocked = new Set(untrusted.map((server) => server.name));
  return loaded.servers.filter((server) => !blocked.has(server.name) && server.config.disabled !== true);
}

function projectKey(projectRoot: string): string {
  try {
    return realpathSync(projectRoot);
  } catch {
    return resolve(projectRoot);
  }
}

function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
