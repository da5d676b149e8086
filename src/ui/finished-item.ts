/**
 * The items that leave the live turn once they are complete and are drawn once,
 * above it, through ink's `<Static>`: messages, answers, reasoning, tool calls with
 * their result and diff, notices and the end of a run. Builders keep each item
 * small (previews, not whole outputs) so that drawing it costs the same at hour ten.
 */
import type { EndStatus } from '../agent/events.js';
import { editDiff, isEditTool, type EditDiff } from './edit-diff.js';
import { clip, firstLines } from './format.js';
import { parseArguments, summarizeToolCall } from './tool-summary.js';

export type ToolItemStatus = 'done' | 'failed' | 'denied' | 'cancelled' | 'interrupted';

export type FinishedItem =
  | { kind: 'session'; key: number; text: string }
  | { kind: 'user'; key: number; text: string; steering: boolean; attachments?: string[] }
  | { kind: 'reasoning'; key: number; text: string; chars: number; expanded: boolean; /** How long it thought (unknown for a replayed journal). */ durationMs?: number }
  | { kind: 'answer'; key: number; text: string; partial: boolean }
  | {
      kind: 'tool';
      key: number;
      summary: string;
      status: ToolItemStatus;
      durationMs: number;
      /** First lines of the result (the whole result is one key away, see ViewState.lastResult). */
      preview: string[];
      moreLines: number;
      diff?: EditDiff;
    }
  | { kind: 'notice'; key: number; level: 'info' | 'warning' | 'error'; text: string }
  /** What a slash command printed; `diff` colours added and removed lines. */
  | { kind: 'output'; key: number; command: string; text: string; tone: 'plain' | 'diff' | 'error' }
  | { kind: 'end'; key: number; status: EndStatus; reason?: string; turns: number; toolCalls: number; durationMs: number };

/** Items are built without their key; the log assigns it on append. */
export type NewItem = FinishedItem extends infer Item ? (Item extends FinishedItem ? Omit<Item, 'key'> : never) : never;

/** @default 3 result lines under each finished tool call. */
export const RESULT_PREVIEW_LINES = 3;
/** Reasoning kept in a finished item when it is drawn expanded. */
export const MAX_REASONING_CHARS = 8000;

export interface ToolEndInput {
  name: string;
  arguments: string | undefined;
  isError: boolean;
  content: string;
  durationMs: number;
  outcome?: 'interrupted' | 'denied' | 'cancelled';
}

export function toolItem(input: ToolEndInput): NewItem {
  const args = input.arguments === undefined ? {} : parseArguments(input.arguments);
  const status: ToolItemStatus = input.outcome ?? (input.isError ? 'failed' : 'done');
  const { lines, more } = firstLines(input.content, RESULT_PREVIEW_LINES);
  const diff = status === 'done' && isEditTool(input.name) ? editDiff(input.name, args) : undefined;
  return {
    kind: 'tool',
    summary: summarizeToolCall(input.name, args),
    status,
    durationMs: input.durationMs,
    preview: lines.map((line) => clip(line, 160)),
    moreLines: more,
    ...(diff === undefined ? {} : { diff }),
  };
}

export function reasoningItem(text: string, expanded: boolean, durationMs?: number): NewItem {
  const kept = text.length > MAX_REASONING_CHARS ? `…${text.slice(text.length - MAX_REASONING_CHARS)}` : text;
  return { kind: 'reasoning', text: expanded ? kept : firstLines(text.trim(), 1).lines[0] ?? '', chars: text.length, expanded, ...(durationMs === undefined ? {} : { durationMs }) };
}
