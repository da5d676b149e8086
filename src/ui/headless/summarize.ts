/**
 * One-line summaries of tool calls for progress output: the argument that
 * matters most (a command, a path, a pattern), cut to fit a line.
 */

const KEY_ARGUMENTS = ['command', 'path', 'pattern', 'ref', 'message', 'id', 'paths'];

export function summarizeCall(name: string, argumentsJson: string, width = 80): string {
  let args: Record<string, unknown> = {};
  try {
    args = JSON.parse(argumentsJson) as Record<string, unknown>;
  } catch {
    // a call with unparseable arguments is summarised by its name alone
  }
  const key = KEY_ARGUMENTS.find((candidate) => args[candidate] !== undefined);
  const value = key === undefined ? '' : typeof args[key] === 'string' ? (args[key] as string) : JSON.stringify(args[key]);
  const line = value.split('\n')[0]!;
  const text = line ? `${name} ${line}` : name;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatTokens(count: number): string {
  return count >= 10_000 ? `${(count / 1000).toFixed(1)}k` : String(count);
}
