/**
 * The `task` tool as the model sees it, and the check of its arguments. The
 * loop answers it by running a child session (subagents.ts). Bad arguments, or
 * a call from inside a child, come back as error results the model can act on.
 */
import { readFileSync } from 'node:fs';
import type { ToolDescriptor } from '../mcp/types.js';

export const TASK_TOOL_NAME = 'task';

export type TaskMode = 'read' | 'write';

export const TASK: ToolDescriptor = {
  name: TASK_TOOL_NAME,
  server: 'endure',
  mcpName: TASK_TOOL_NAME,
  description: readFileSync(new URL('./task-tool.md', import.meta.url), 'utf8').trim(),
  inputSchema: {
    type: 'object',
    properties: {
      description: { type: 'string', description: 'A few words naming the sub-task (shown to the user).' },
      prompt: { type: 'string', description: 'Everything the sub-agent needs: the goal, where to look, what to report.' },
      mode: { type: 'string', enum: ['read', 'write'], description: 'read (default): read-only tools; write: may change files.' },
    },
    required: ['description', 'prompt'],
  },
  // Not read-only (a write child changes files), but idempotent for the journal:
  // after a crash the call runs again by continuing the child from its own journal.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

export interface TaskRequest {
  description: string;
  prompt: string;
  mode: TaskMode;
}

export type TaskCheck = { ok: true; task: TaskRequest } | { ok: false; error: string };

/** Longest description kept for the UI. */
const DESCRIPTION_CHARS = 80;

/** Checks a `task` call's arguments; `inChild` when the caller is itself a subagent. */
export function checkTaskArgs(args: Record<string, unknown>, inChild: boolean): TaskCheck {
  if (inChild)
    return { ok: false, error: 'a sub-agent cannot start sub-agents of its own; do this part yourself with your tools' };
  const { prompt, description, mode } = args;
  if (typeof prompt !== 'string' || prompt.trim() === '')
    return { ok: false, error: 'task needs "prompt": a non-empty text with everything the sub-agent needs (it sees nothing of this conversation)' };
  if (mode !== undefined && mode !== 'read' && mode !== 'write')
    return { ok: false, error: `unknown mode ${JSON.stringify(mode)}: use "read" (read-only tools, runs in parallel) or "write" (may change files)` };
  if (description !== undefined && typeof description !== 'string')
    return { ok: false, error: '"description" must be a short text naming the sub-task' };
  const named = (description ?? '').trim() || prompt.trim().split('\n')[0]!;
  return {
    ok: true,
    task: { description: named.length > DESCRIPTION_CHARS ? `${named.slice(0, DESCRIPTION_CHARS - 1)}…` : named, prompt: prompt.trim(), mode: mode ?? 'read' },
  };
}

/** A read child runs in parallel with other read calls of the same message. */
export function isReadTask(args: Record<string, unknown>): boolean {
  return args.mode === undefined || args.mode === 'read';
}
