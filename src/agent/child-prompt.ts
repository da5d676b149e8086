/**
 * What a child session is told. Its system prompt and tool list are the
 * parent's, byte for byte, so a server's prefix cache serves them; what makes
 * it a focused sub-task lives in its first user message instead: a fixed
 * preamble per mode (shared by every child of that mode), then the prompt.
 */
import type { TaskMode } from './task-tool.js';

const PREAMBLE = `You are a sub-agent: the main agent handed you one focused sub-task. You see nothing of its conversation; everything you need is below.
- Work on this sub-task only, with your tools. You cannot start sub-agents of your own.
- When you are done, answer without calling tools: a concise report for the main agent. Lead with the answer or the outcome; name files with paths (and line numbers where they matter); say what you changed, if anything, and what is left open. No preamble, no narration of your steps.`;

const MODE_RULE: Record<TaskMode, string> = {
  read: '- Mode read: you may only read and search (list, glob, grep, read files, git status and diffs). Calls that change files or run commands are refused; report what should change instead.',
  write: '- Mode write: you may change files and run commands in the workspace; verify what you change.',
};

/** The child's first user message. */
export function childMessage(mode: TaskMode, prompt: string): string {
  return `${PREAMBLE}\n${MODE_RULE[mode]}\n\nSub-task:\n${prompt}`;
}
