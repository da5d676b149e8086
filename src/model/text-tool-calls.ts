/**
 * Tool calls that a server left in the answer text, in either Qwen format: Hermes
 * (`<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, Qwen3) or the XML of
 * Qwen3-Coder / 3.5 / 3.6 (`<tool_call><function=NAME><parameter=P>...`). This
 * module turns the markup part of a message into calls plus any prose around them;
 * finding where the markup starts in a stream is the scanner's job.
 */
import { jsonrepair } from 'jsonrepair';
import type { ParsedToolCall, ToolSpec } from './types.js';
import { newToolCallId } from './call-ids.js';
import { parseXmlFunctionCalls } from './qwen3-coder-tool-calls.js';
import { argumentsFromObject, parseToolArguments, type ToolArguments } from './tool-arguments.js';

/** The tags that open tool-call markup in text. */
export const TOOL_MARKUP_OPENERS = ['<tool_call>', '<function=', '<function name='] as const;

export interface TextToolCalls {
  calls: ParsedToolCall[];
  /** Prose found between or after the blocks (never markup). */
  prose: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(jsonrepair(text));
    } catch {
      return undefined;
    }
  }
}

function hermesArguments(value: unknown, truncated: boolean): ToolArguments {
  if (value === undefined || value === null) return argumentsFromObject({});
  if (typeof value === 'string') return parseToolArguments(value, { truncated });
  if (isRecord(value)) return argumentsFromObject(value);
  return { arguments: '{}', args: {}, argumentError: 'arguments were not valid JSON: expected a JSON object' };
}

function parseHermesBlock(body: string, truncated: boolean): ParsedToolCall | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  const value = truncated ? safeParse(text) : parseLoose(text);
  if (isRecord(value) && typeof value['name'] === 'string') {
    const args = hermesArguments(value['arguments'] ?? value['parameters'], truncated);
    return { id: newToolCallId(), name: value['name'], ...args };
  }
  const name = /"name"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? '';
  const excerpt = text.length > 60 ? `${text.slice(0, 60)}...` : text;
  const why = truncated ? 'the output was cut off at the token limit' : `could not parse ${JSON.stringify(excerpt)}`;
  return {
    id: newToolCallId(),
    name,
    arguments: '{}',
    args: {},
    argumentError: `arguments were not valid JSON: ${why}; write each call as <tool_call>{"name": ..., "arguments": {...}}</tool_call>`,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function xmlCalls(markup: string, tools: readonly ToolSpec[]): ParsedToolCall[] {
  return parseXmlFunctionCalls(markup, tools).map((call) => ({
    id: newToolCallId(),
    name: call.name,
    ...argumentsFromObject(call.args),
  }));
}

const BLOCK_START = /<tool_call>|<function(?:=|\s+name\s*=)/g;

/**
 * Parse markup that starts at the first tool-call tag. Each `<tool_call>` block ends
 * at `</tool_call>`, the next `<tool_call>` or the end; a bare `<function=...>` block
 * ends after `</function>`.
 */
export function parseTextToolCalls(markup: string, tools: readonly ToolSpec[], truncated = false): TextToolCalls {
  const calls: ParsedToolCall[] = [];
  let prose = '';
  let position = 0;
  while (position < markup.length) {
    BLOCK_START.lastIndex = position;
    const start = BLOCK_START.exec(markup);
    if (!start) break;
    prose += markup.slice(position, start.index);
    if (start[0] === '<tool_call>') {
      const bodyStart = start.index + start[0].length;
      const close = markup.indexOf('</tool_call>', bodyStart);
      const next = markup.indexOf('<tool_call>', bodyStart);
      const end = close === -1 ? (next === -1 ? markup.length : next) : next !== -1 && next < close ? next : close;
      const body = markup.slice(bodyStart, end);
      if (/^\s*<function[=\s]/.test(body)) calls.push(...xmlCalls(body, tools));
      else {
        const call = parseHermesBlock(body, truncated);
        if (call) calls.push(call);
      }
      position = end === close ? close + '</tool_call>'.length : end;
    } else {
      const close = markup.indexOf('</function>', start.index);
      BLOCK_START.lastIndex = start.index + 1;
      const next = BLOCK_START.exec(markup)?.index ?? -1;
      const end =
        close !== -1 && (next === -1 || close < next) ? close + '</function>'.length : next === -1 ? markup.length : next;
      calls.push(...xmlCalls(markup.slice(start.index, end), tools));
      position = end;
    }
  }
  prose += markup.slice(position);
  return { calls, prose: prose.trim() === '' ? '' : prose.replace(/<\/tool_call>/g, '') };
}
