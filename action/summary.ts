/**
 * The job summary of one action run, as markdown for GITHUB_STEP_SUMMARY: the
 * status and the final answer, the figures, the files changed, and a table of
 * the tool calls built from the stream-json events. The table is link-free:
 * every argument sits in a code span (no autolinked URLs or @mentions) and
 * nothing points anywhere.
 */
import type { ExecResult } from '../src/ui/headless/printers.js';
import { formatDuration, summarizeCall } from '../src/ui/headless/summarize.js';
import type { FileChange } from './workspace-changes.js';

/** The stream-json events the summary reads (the rest are ignored). */
export type StreamEvent =
  | { type: 'tool_start'; callId: string; name: string; arguments: string; agent_id?: string }
  | { type: 'tool_end'; callId: string; name: string; isError: boolean; content: string; durationMs: number; outcome?: string; agent_id?: string }
  | { type: string; [key: string]: unknown };

export interface ToolCallRow {
  name: string;
  what: string;
  /** ✓, ✗ with the first line of the error, or the outcome (interrupted, denied, cancelled). */
  outcome: string;
  durationMs?: number;
  agent?: string;
}

/** Most rows the table shows; a long session's rest is counted in one line. */
export const MAX_ROWS = 300;

/** The summary line starts with the tool's name, which the table has in its own column. */
function withoutName(summary: string, name: string): string {
  return summary.startsWith(`${name} `) ? summary.slice(name.length + 1) : summary;
}

export function toolCallRows(events: readonly StreamEvent[]): ToolCallRow[] {
  const rows = new Map<string, ToolCallRow>();
  for (const event of events) {
    if (event.type === 'tool_start') {
      const start = event as Extract<StreamEvent, { type: 'tool_start' }>;
      rows.set(`${start.agent_id ?? ''}/${start.callId}`, {
        name: start.name,
        what: withoutName(summarizeCall(start.name, start.arguments, 100), start.name),
        outcome: '…',
        ...(start.agent_id ? { agent: start.agent_id } : {}),
      });
    } else if (event.type === 'tool_end') {
      const end = event as Extract<StreamEvent, { type: 'tool_end' }>;
      const key = `${end.agent_id ?? ''}/${end.callId}`;
      const row: ToolCallRow = rows.get(key) ?? { name: end.name, what: end.name, outcome: '' };
      row.outcome = end.outcome ?? (end.isError ? `✗ ${(end.content.split('\n')[0] ?? '').slice(0, 80)}` : '✓');
      row.durationMs = end.durationMs;
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}

/** Text in a code span: one line; backticks become quotes and pipes are escaped, so nothing breaks out of the cell. */
function code(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/`/g, "'").replace(/\|/g, '\\|');
  return line ? `\`${line}\`` : '';
}

export interface SummaryInput {
  task: string;
  result: ExecResult;
  exitCode: number;
  events: readonly StreamEvent[];
  files: readonly FileChange[];
  patchPath?: string;
  commit?: string;
  sessionDir?: string;
}

export function renderSummary(input: SummaryInput): string {
  const { result } = input;
  const lines: string[] = [`## endure: ${result.status}`, ''];
  if (input.task) lines.push(...input.task.trim().split('\n').map((line) => `> ${line}`), '');
  if (result.error) lines.push(`**Stopped:** ${code(result.error)}`, '');
  lines.push('### Answer', '', result.result.trim() || '_(no answer)_', '');

  const usage = result.usage;
  lines.push(
    '### Figures',
    '',
    '| | |',
    '|---|---|',
    `| status | ${result.status} (exit code ${input.exitCode}) |`,
    `| session | ${result.session_id ? code(result.session_id) : 'none started'} |`,
    `| turns | ${result.turns} |`,
    `| tool calls | ${result.tool_calls} |`,
    `| tokens | ${usage.prompt_tokens} in (${usage.cached_tokens} cached), ${usage.completion_tokens} out |`,
    `| duration | ${formatDuration(result.duration_ms)} |`,
  );
  if (input.commit) lines.push(`| commit | ${code(input.commit)} |`);
  if (input.patchPath) lines.push(`| patch | ${code(input.patchPath)} |`);
  if (input.sessionDir) lines.push(`| session directory | ${code(input.sessionDir)} |`);
  lines.push('');

  lines.push(`### Files changed (${input.files.length})`, '');
  if (input.files.length === 0) lines.push('None.');
  for (const file of input.files) lines.push(`- ${code(file.path)} ${file.added === undefined ? '(binary)' : `+${file.added} −${file.deleted}`}`);
  lines.push('');

  const rows = toolCallRows(input.events);
  lines.push(`### Tool calls (${rows.length})`, '');
  if (rows.length === 0) lines.push('None.');
  else {
    lines.push('| # | tool | call | result | time |', '|---:|---|---|---|---:|');
    rows.slice(0, MAX_ROWS).forEach((row, index) => {
      const tool = row.agent ? `${row.name} (subagent ${code(row.agent)})` : row.name;
      const time = row.durationMs === undefined ? '' : formatDuration(row.durationMs);
      lines.push(`| ${index + 1} | ${tool} | ${code(row.what)} | ${code(row.outcome)} | ${time} |`);
    });
    if (rows.length > MAX_ROWS) lines.push('', `… and ${rows.length - MAX_ROWS} more calls (see the session's journal).`);
  }
  return `${lines.join('\n')}\n`;
}
