/**
 * Headless output of `endure exec`: progress lines on stderr (never parsed),
 * and on stdout the final answer (`text`), one object at the end (`json`), or
 * one event per line (`stream-json`). All three consume the same event stream.
 */
import type { AgentEvent, UsageTotals } from '../../agent/events.js';
import { countOf } from '../format.js';
import { formatDuration, formatTokens, summarizeCall } from './summarize.js';

export type OutputFormat = 'text' | 'json' | 'stream-json';

/** The object `json` prints and `stream-json` ends with (cli.md). */
export interface ExecResult {
  /** null when the run failed before a session could start. */
  session_id: string | null;
  status: 'done' | 'failed' | 'budget' | 'interrupted';
  result: string;
  turns: number;
  tool_calls: number;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number; prefilled_tokens: number };
  duration_ms: number;
  error?: string;
}

export interface Printer {
  event(event: AgentEvent): void;
  finish(result: ExecResult): void;
}

interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function progressLine(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'session_start':
      return `endure: session ${event.session}${event.resumed ? ' (resumed)' : ''} · ${event.model} on ${event.server} · sandbox ${event.sandbox}${event.instructions ? ` · instructions ${event.instructions.join(', ')}` : ''}`;
    case 'tool_start':
      return undefined;
    case 'tool_end': {
      const mark = event.outcome ? `[${event.outcome}]` : event.isError ? '✗' : '✓';
      const detail = event.isError ? `: ${event.content.split('\n')[0]!.slice(0, 100)}` : '';
      return `  ${mark} ${event.name} (${formatDuration(event.durationMs)})${detail}`;
    }
    case 'waiting':
      return `  … waiting on the model (${formatDuration(event.elapsedMs)})`;
    case 'model_retry':
      return `  retrying the model request (attempt ${event.attempt}${event.discardedChars ? `; the ${event.discardedChars} characters shown of the failed answer are discarded` : ''}): ${event.reason}`;
    case 'compaction':
      return `  compacted the conversation: ${formatTokens(event.contextBefore)} → ${formatTokens(event.contextAfter)} tokens`;
    case 'rewind':
      return `endure: rewound to the end of turn ${event.toTurn}`;
    case 'warning':
      return `endure: warning: ${event.message}`;
    case 'error':
      return `endure: error: ${event.message}`;
    case 'user_message':
      return event.steering ? `  > ${event.content.split('\n')[0]}` : undefined;
    case 'session_end':
      return `endure: ${event.status}${event.reason ? ` (${event.reason})` : ''} · ${countOf(event.turns, 'turn')} · ${countOf(event.toolCalls, 'tool call')} · ${usageLine(event.usage)} · ${formatDuration(event.durationMs)}`;
    default:
      return undefined;
  }
}

function usageLine(usage: UsageTotals): string {
  const cached = usage.promptTokens > 0 ? ` (${Math.round((100 * usage.cachedTokens) / usage.promptTokens)}% cached)` : '';
  return `${formatTokens(usage.promptTokens)} tokens in${cached}, ${formatTokens(usage.prefilledTokens ?? 0)} prefilled / ${formatTokens(usage.completionTokens)} out`;
}

/** Remembers each call's arguments so the progress line can name what it touched. */
function withCallSummaries(write: (line: string) => void): (event: AgentEvent) => void {
  const started = new Map<string, string>();
  return (event) => {
    // A subagent's calls and waits (the heartbeat) are indented under its task; its other progress is the task's result.
    const child = event.agent_id !== undefined;
    if (child && event.type !== 'tool_start' && event.type !== 'tool_end' && event.type !== 'waiting') return;
    const key = event.type === 'tool_start' || event.type === 'tool_end' ? `${event.agent_id ?? ''} ${event.callId}` : '';
    if (event.type === 'tool_start') started.set(key, summarizeCall(event.name, event.arguments));
    let line = progressLine(event);
    if (event.type === 'tool_end') {
      const summary = started.get(key);
      started.delete(key);
      if (summary && line) line = line.replace(` ${event.name} `, ` ${summary} `);
    }
    if (line) write(child ? `    ⎿${line.slice(1)} [${event.agent_id}]` : line);
  };
}

export function createPrinter(format: OutputFormat, streams: Streams): Printer {
  const progress = withCallSummaries((line) => streams.stderr.write(`${line}\n`));
  return {
    event(event) {
      progress(event);
      if (format === 'stream-json') {
        const { session, ...rest } = event;
        streams.stdout.write(`${JSON.stringify({ session_id: session, ...rest })}\n`);
      }
    },
    finish(result) {
      if (format === 'text') streams.stdout.write(result.result.endsWith('\n') || !result.result ? result.result : `${result.result}\n`);
      else if (format === 'json') streams.stdout.write(`${JSON.stringify(result)}\n`);
      else streams.stdout.write(`${JSON.stringify({ type: 'result', ...result })}\n`);
    },
  };
}
