/**
 * Model-facing tool names. MCP allows dots and 128 characters; OpenAI-style
 * function names must match ^[a-zA-Z0-9_-]{1,64}$. User tools are namespaced as
 * `server__tool`; built-in tools keep their plain names. Sanitising can make two
 * tools collide, so names are assigned in the host's fixed tool order and a
 * later duplicate gets a short hash of its original `server/tool`: the same
 * config always yields the same names.
 */
import { createHash } from 'node:crypto';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

export function sanitise(part: string): string {
  const cleaned = part.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned === '' ? '_' : cleaned;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Fits a name into 64 characters, keeping it unique by a hash of the original when cut. */
function fit(name: string, original: string): string {
  if (name.length <= MAX) return name;
  return `${name.slice(0, MAX - 9)}_${shortHash(original)}`;
}

export interface NameRequest {
  server: string;
  tool: string;
  /** Built-in tools are not namespaced. */
  builtin: boolean;
}

/** Assigns names in the given order; the result is parallel to the input. */
export function assignToolNames(requests: readonly NameRequest[]): string[] {
  const taken = new Set<string>();
  return requests.map(({ server, tool, builtin }) => {
    const original = builtin ? tool : `${server}/${tool}`;
    const base = builtin ? sanitise(tool) : `${sanitise(server)}__${sanitise(tool)}`;
    let name = fit(base, original);
    if (taken.has(name)) name = `${base.slice(0, MAX - 9)}_${shortHash(original)}`;
    for (let salt = 1; taken.has(name); salt++) name = `${base.slice(0, MAX - 9)}_${shortHash(`${original}#${salt}`)}`;
    taken.add(name);
    return name;
  });
}
