/**
 * One-line summaries of tool calls and figures for progress output.
 */
import { parseArguments, summarizeToolCall } from '../tool-summary.js';

/** The UI's one-line summary of a call (the command, the path, the pattern), for progress lines. */
export function summarizeCall(name: string, argumentsJson: string, width = 80): string {
  return summarizeToolCall(name, parseArguments(argumentsJson), width);
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
