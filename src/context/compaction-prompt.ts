/**
 * The dedicated compaction request: what the model is asked, how the compacted
 * part of the transcript is shown to it, and how its answer is read. A garbage
 * answer never loses the task state: parsing returns only what it could read.
 */
import type { ChatMessage } from '../model/types.js';

export const COMPACTION_SYSTEM_PROMPT = `You compact the history of a coding agent's session so that it can continue with less context.
Read the transcript and the current task state, then answer in exactly this form and nothing else:
<summary>
What was done and learned, as short bullet points: decisions, findings, file and function names, commands that worked or failed and why. Keep facts the agent needs to go on; drop chatter.
</summary>
<state>
{"done": ["..."], "remaining": ["..."], "nextStep": "..."}
</state>`;

/** Characters of one tool output shown to the summariser. */
const TOOL_OUTPUT_PREVIEW = 600;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)} [... ${text.length - limit} more characters]`;
}

/** The compacted messages as plain text for the summariser, bounded per message. */
export function renderTranscript(messages: readonly ChatMessage[], budgetChars: number): string {
  const lines: string[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        lines.push(`USER: ${clip(message.content, 4000)}`);
        break;
      case 'assistant':
        if (message.content) lines.push(`ASSISTANT: ${clip(message.content, 2000)}`);
        for (const call of message.tool_calls ?? []) lines.push(`CALL ${call.function.name} ${clip(call.function.arguments, 400)}`);
        break;
      case 'tool':
        lines.push(`RESULT: ${clip(message.content, TOOL_OUTPUT_PREVIEW)}`);
        break;
      case 'system':
        break;
    }
  }
  let text = lines.join('\n');
  if (text.length > budgetChars) text = `[... earliest part left out ...]\n${text.slice(text.length - budgetChars)}`;
  return text;
}

export interface ParsedCompaction {
  summary?: string;
  state?: { done?: string[]; remaining?: string[]; nextStep?: string };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').slice(0, 50) : undefined;
}

/** Reads the summariser's answer; fields it could not read are left out. */
export function parseCompactionAnswer(answer: string): ParsedCompaction {
  const parsed: ParsedCompaction = {};
  const summary = /<summary>([\s\S]*?)(?:<\/summary>|$)/.exec(answer)?.[1]?.trim();
  if (summary) parsed.summary = summary;
  const stateText = /<state>([\s\S]*?)(?:<\/state>|$)/.exec(answer)?.[1]?.trim();
  if (stateText) {
    try {
      const raw = JSON.parse(stateText) as Record<string, unknown>;
      const done = stringList(raw.done);
      const remaining = stringList(raw.remaining);
      parsed.state = {
        ...(done ? { done } : {}),
        ...(remaining ? { remaining } : {}),
        ...(typeof raw.nextStep === 'string' ? { nextStep: raw.nextStep } : {}),
      };
    } catch {
      // an unreadable state block keeps the previous state
    }
  }
  return parsed;
}
