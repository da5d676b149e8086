/**
 * `endure mcp add/remove`: edits the `mcpServers` key of a JSON file (the user
 * config or the project's `.mcp.json`) and leaves every other key as it was.
 * Values are stored unexpanded, so `${TOKEN}` stays a reference, not a secret.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../shared/errors.js';
import { normaliseServer, rawServerSchema } from './config-schema.js';

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError('unreadable_config', `${file}: cannot read (${(error as NodeJS.ErrnoException).code}); check the path`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (error) {
    throw new ConfigError('invalid_json', `${file}: invalid JSON (${(error as Error).message}); fix the file`, { cause: error });
  }
}

function writeJson(file: string, value: Json): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, file);
}

function servers(file: string, json: Json): Json {
  const value = json.mcpServers ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('invalid_config', `${file}: key "mcpServers" is not an object; fix the file`);
  }
  return value as Json;
}

/** Adds a server entry; refuses to replace an existing one. */
export function addServerEntry(file: string, name: string, entry: Json): void {
  const parsed = rawServerSchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('invalid_config', `server "${name}", key "${issue?.path.join('.')}": ${issue?.message}`);
  }
  const normalised = normaliseServer(parsed.data);
  if ('error' in normalised) throw new ConfigError('invalid_config', `server "${name}", key "${normalised.key}": ${normalised.error}`);
  const json = readJson(file);
  const existing = servers(file, json);
  if (name in existing) throw new ConfigError('server_exists', `${file}: server "${name}" already exists; run "endure mcp remove ${name}" first`);
  json.mcpServers = { ...existing, [name]: entry };
  writeJson(file, json);
}

/** Removes a server entry; false when the file has no such server. */
export function removeServerEntry(file: string, name: string): boolean {
  const json = readJson(file);
  const existing = servers(file, json);
  if (!(name in existing)) return false;
  const { [name]: _removed, ...rest } = existing;
  json.mcpServers = rest;
  writeJson(file, json);
  return true;
}
