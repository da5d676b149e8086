/**
 * The network allow-list of `--network allow=HOST[:PORT],...`: which hosts the
 * sandbox's proxy lets through. A host without a port allows every port of it;
 * names match case-insensitively and exactly (`example.com` does not let
 * `api.example.com` through; write each name).
 */
export interface AllowedHost {
  host: string;
  /** Absent: any port. */
  port?: number;
}

/** Parses `HOST[:PORT],...`; throws an Error naming the entry that is wrong. */
export function parseAllowList(text: string): AllowedHost[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('the allow-list is empty; give HOST[:PORT],...');
  return entries.map(parseAllowedHost);
}

export function parseAllowedHost(entry: string): AllowedHost {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (match === null || (port !== undefined && (port < 1 || port > 65535)))
    throw new Error(`"${entry}" is not HOST or HOST:PORT (e.g. registry.npmjs.org or 127.0.0.2:8080)`);
  const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  return port === undefined ? { host } : { host, port };
}

export function isAllowed(list: readonly AllowedHost[], host: string, port: number): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return list.some((entry) => entry.host === name && (entry.port === undefined || entry.port === port));
}

export function formatAllowList(list: readonly AllowedHost[]): string {
  return list.map((entry) => (entry.port === undefined ? entry.host : `${entry.host.includes(':') ? `[${entry.host}]` : entry.host}:${entry.port}`)).join(',');
}
