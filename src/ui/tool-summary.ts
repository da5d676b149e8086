/**
 * One line that says what a tool call does, read from the model's arguments
 * (untrusted JSON): the command, the path, the pattern. Used by running tools, by
 * finished tool items and by the approval prompt.
 */
import { clip } from './format.js';

const KEY_ARGUMENTS = ['command', 'path', 'file_path', 'pattern', 'query', 'ref', 'url', 'message', 'job_id', 'name'];

/** Parses tool arguments; anything that is not a JSON object becomes `{}`. */
export function parseArguments(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** e.g. `run_shell npm test`, `read_file src/a.ts`, `grep "needle" in src`. */
export function summarizeToolCall(name: string, args: Record<string, unknown>, max = 100): string {
  if (name === 'task') {
    const what = stringArg(args, 'description') ?? stringArg(args, 'prompt') ?? '';
    return clip(`task (${args.mode === 'write' ? 'write' : 'read'}) ${what}`.trimEnd(), max);
  }
  const pattern = stringArg(args, 'pattern');
  const path = stringArg(args, 'path') ?? stringArg(args, 'file_path');
  if (pattern !== undefined) return clip(`${name} "${pattern}"${path === undefined ? '' : ` in ${path}`}`, max);
  for (const key of KEY_ARGUMENTS) {
    const value = stringArg(args, key);
    if (value !== undefined) return clip(`${name} ${value}`, max);
  }
  const first = Object.values(args).find((value) => typeof value === 'string' || typeof value === 'number');
  return clip(first === undefined ? name : `${name} ${String(first)}`, max);
}

function stringArg(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
