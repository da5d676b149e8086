/**
 * Helpers for the long-session tests: a scripted model that works from the
 * request alone (so a stopped, resumed or compacted session continues the same
 * plan with the same call ids), the compaction answer it gives, and readers of
 * what the server and the journal saw. The fixtures themselves (the real CLI,
 * a temp home and repo, the scripted server) come from test/support/e2e-fixtures.
 */
import type { JournalRecord } from '../../sessions/records.js';
import type { ReceivedRequest, Step, TurnStep } from '../support/scripted-server.js';

export interface WireMessage {
  role: string;
  content: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export function messagesOf(request: ReceivedRequest): WireMessage[] {
  return request.body.messages as WireMessage[];
}

/** A request that is not a step of the loop: a compaction summary (no tools, or tool_choice none). */
export function isCompactionRequest(request: ReceivedRequest): boolean {
  return request.body.tools === undefined || request.body.tool_choice === 'none';
}

const STEP_ID = /^s(\d+)_\d+$/;

/** The plan step a request asks for: one past the step of its last assistant call, 0 before any. */
export function stepOf(request: ReceivedRequest): number {
  const messages = messagesOf(request);
  for (let i = messages.length - 1; i >= 0; i--) {
    const id = messages[i]!.tool_calls?.[0]?.id;
    const match = id ? STEP_ID.exec(id) : null;
    if (match) return Number(match[1]) + 1;
  }
  return 0;
}

/** A compaction answer in the form the compaction prompt asks for. */
export function compactionAnswer(state: { done: string[]; remaining: string[]; nextStep: string }, summary = '- Read and edited files as planned.'): TurnStep {
  return { content: `<summary>\n${summary}\n</summary>\n<state>\n${JSON.stringify(state)}\n</state>` };
}

export interface WorkerOptions {
  /** The step for plan index k (asked for by `request`), or undefined when the plan is over. */
  step: (k: number, request: ReceivedRequest) => TurnStep | undefined;
  /** The answer once the plan is over. @default 'All done.' */
  final?: string;
  /** The answer to a compaction request. @default a summary naming the step reached */
  compaction?: (request: ReceivedRequest) => Step;
}

/** A model that follows a plan of tool-call steps, ids `s<k>_<i>`, and answers compaction requests. */
export function worker(options: WorkerOptions): (request: ReceivedRequest) => Step {
  return (request) => {
    if (isCompactionRequest(request)) {
      if (options.compaction) return options.compaction(request);
      return compactionAnswer({ done: ['the steps so far'], remaining: ['the rest of the plan'], nextStep: 'go on with the plan' });
    }
    const k = stepOf(request);
    const step = options.step(k, request);
    if (!step) return { content: options.final ?? 'All done.' };
    return { ...step, toolCalls: step.toolCalls?.map((call, i) => ({ ...call, id: `s${k}_${i}` })) };
  };
}

export function compactionRecords(records: readonly JournalRecord[]): Extract<JournalRecord, { kind: 'compaction' }>[] {
  return records.filter((record): record is Extract<JournalRecord, { kind: 'compaction' }> => record.kind === 'compaction');
}

/** The loop's requests (compaction requests left out), oldest first. */
export function loopRequests(requests: readonly ReceivedRequest[]): ReceivedRequest[] {
  return requests.filter((request) => !isCompactionRequest(request));
}

/** Text files for a workspace: `count` files of about `bytes` bytes each. */
export function textFiles(count: number, bytes: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const lines: string[] = [];
    for (let line = 0; lines.join('\n').length < bytes; line++) lines.push(`file ${i} line ${line}: the quick brown fox jumps over the lazy dog`);
    files[`src/f${i}.txt`] = `${lines.join('\n')}\n`;
  }
  return files;
}

/** The content of the request's last message (a tool result when the model just called a tool). */
export function lastContent(request: ReceivedRequest): string {
  return messagesOf(request).at(-1)!.content;
}

/** The blob id and byte offset named in a cut output's note. */
export function noteOf(text: string): { omitted: number; total: number; id: string; offset: number } {
  const match = /\n\[\.\.\. (\d+) bytes \(\d+ lines\) left out of (\d+); call read_output with id "([0-9a-f]+)" and offset (\d+) to read them \.\.\.\]\n/.exec(text);
  if (!match) throw new Error(`no read_output note in ${text.slice(0, 200)}...`);
  return { omitted: Number(match[1]), total: Number(match[2]), id: match[3]!, offset: Number(match[4]) };
}
