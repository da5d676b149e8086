/**
 * Streamed `tool_calls` fragments merged into whole calls. Servers disagree on the
 * shape: llama-server sends a header then argument pieces, Ollama the whole call in
 * one chunk, DashScope repeats the id without the name, SGLang reuses index 0 for
 * every call, qwen3_xml replays the id in a tail delta. Fragments are matched by
 * id first, then by index, and a new id (or a repeated name after complete
 * arguments) at a taken index starts a new call.
 */
import type { ParsedToolCall } from './types.js';
import { newToolCallId } from './call-ids.js';
import { parseToolArguments } from './tool-arguments.js';

/** One element of `delta.tool_calls`, as loosely as servers send it. */
export interface ToolCallFragment {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface PendingCall {
  id?: string;
  name: string;
  arguments: string;
}

function isCompleteJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export class ToolCallFragments {
  private readonly calls: PendingCall[] = [];
  private readonly byIndex = new Map<number, PendingCall>();
  private readonly byId = new Map<string, PendingCall>();

  get size(): number {
    return this.calls.length;
  }

  push(fragment: ToolCallFragment): void {
    const id = typeof fragment.id === 'string' && fragment.id !== '' ? fragment.id : undefined;
    const name = typeof fragment.function?.name === 'string' ? fragment.function.name : '';
    const args = typeof fragment.function?.arguments === 'string' ? fragment.function.arguments : '';
    const index = typeof fragment.index === 'number' ? fragment.index : undefined;
    const call = this.route(id, name, index);
    if (id && !call.id) {
      call.id = id;
      this.byId.set(id, call);
    }
    const replayed = name !== '' && args !== '' && args === call.arguments;
    if (name !== '' && call.name === '') call.name = name;
    if (!replayed) call.arguments += args;
  }

  private route(id: string | undefined, name: string, index: number | undefined): PendingCall {
    const known = id ? this.byId.get(id) : undefined;
    if (known) return known;
    const slot = index === undefined ? (id ? undefined : this.calls.at(-1)) : this.byIndex.get(index);
    if (slot) {
      const otherId = id !== undefined && slot.id !== undefined && slot.id !== id;
      const nextCall = id === undefined && name !== '' && slot.name !== '' && isCompleteJson(slot.arguments);
      if (!otherId && !nextCall) return slot;
    }
    const call: PendingCall = { name: '', arguments: '' };
    this.calls.push(call);
    if (index !== undefined) this.byIndex.set(index, call);
    if (id) {
      call.id = id;
      this.byId.set(id, call);
    }
    return call;
  }

  /** The merged calls, arguments parsed; `truncated` when the output hit the token limit. */
  finish(truncated: boolean): ParsedToolCall[] {
    const result: ParsedToolCall[] = [];
    for (const call of this.calls) {
      if (call.name === '' && call.arguments.trim() === '') continue;
      const parsed = parseToolArguments(call.arguments, { truncated });
      result.push({ id: call.id ?? newToolCallId(), name: call.name, ...parsed });
    }
    return result;
  }
}
