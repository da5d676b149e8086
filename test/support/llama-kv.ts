/**
 * llama-server's prompt cache and slots, as the scripted server plays them
 * (shared/reference/llama-server.md). Each request's messages are rendered the
 * way Qwen3's chat template renders them (reasoning of assistant turns before the
 * last user message dropped, unless a Qwen3.6 template gets `preserve_thinking`),
 * cut into tokens, and sent to a slot: the one named by `id_slot`, else the one
 * whose cached tokens share the longest prefix. What the slot already held
 * (`cache_n`) is the longest common prefix, less the one token llama-server always
 * evaluates again; the rest (`prompt_n`) is what it had to prefill. After the
 * answer the slot holds the prompt and the generated text.
 *
 * With `slotSavePath`, `/slots/{id}?action=save|restore|erase` answer as the real
 * server does (files in that directory survive `restart()`); without it they
 * answer 501.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PlannedTurn } from './dialects/types.js';

export type ChatTemplate = 'qwen3' | 'qwen3.6';

export interface LlamaKvOptions {
  /** Parallel slots (`-np`). @default 4 */
  slots?: number;
  /** Directory of `--slot-save-path`; without it slot actions answer 501. */
  slotSavePath?: string;
  /** Which chat template renders prompts (`qwen3.6` honours `preserve_thinking`). @default 'qwen3' */
  template?: ChatTemplate;
  /**
   * Bytes of KV state a saved file carries per token, so that saves and restores
   * move as many bytes as a real model's would (51052 B for 177 tokens on the
   * reference's small model is 288). @default 0
   */
  kvBytesPerToken?: number;
  /**
   * Also count what one never-lost cache would hold (`log[].ideal`, for benchmarks): the
   * previous request's prompt and answer, as if the server had one slot and never restarted.
   * What it cannot serve is the minimum: each new token once, plus what a compaction re-reads.
   * @default false
   */
  trackIdeal?: boolean;
}

interface Slot {
  id: number;
  tokens: string[];
  lastUsed: number;
  processing: boolean;
  /** The last request's counts, as GET /slots reports them. */
  nPrompt?: number;
  nCache?: number;
  nProcessed?: number;
  idTask?: number;
}

/** What admitting a request decided. */
export interface Admission {
  slot: number;
  promptTokens: number;
  cached: number;
  /** Call when the answer is known: the slot then holds the prompt and the answer. */
  complete(turn: PlannedTurn | undefined): void;
}

export interface SlotReply {
  status: number;
  body: unknown;
}

/**
 * Tokens the way a BPE pre-tokenizer cuts text: special tokens whole, words with
 * their leading space, digits one by one, other characters alone. Not Qwen's
 * vocabulary, but a prefix of text is a prefix of tokens, which is what caching needs.
 */
const TOKEN = /<\|[a-z_]+\|>|<\/?(?:think|tool_call|tool_response|tools)>|\s?[A-Za-z]+|\d|\s+(?=\S)|\s+|[^\sA-Za-z\d]/g;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

type Json = Record<string, any>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: Json) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

function toolCallText(call: Json): string {
  const fn = call.function ?? {};
  const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
  return `<tool_call>\n{"name": "${fn.name}", "arguments": ${args}}\n</tool_call>`;
}

/** An assistant turn as the template writes it (and as the model generated it). */
function assistantText(reasoning: string | undefined, content: string, calls: readonly Json[]): string {
  let text = reasoning !== undefined ? `<think>\n${reasoning.replace(/^\n+|\n+$/g, '')}\n</think>\n\n${content.replace(/^\n+/, '')}` : content;
  calls.forEach((call, i) => {
    text += `${i === 0 && !text ? '' : '\n'}${toolCallText(call)}`;
  });
  return text;
}

/** The prompt text Qwen3's chat template renders for a chat body (with the generation prompt). */
export function renderPrompt(body: Json, template: ChatTemplate = 'qwen3'): string {
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const tools: Json[] = Array.isArray(body.tools) ? body.tools : [];
  const kwargs: Json = body.chat_template_kwargs ?? {};
  const preserve = template === 'qwen3.6' && kwargs.preserve_thinking === true;
  let out = '';
  let start = 0;
  const system = messages[0]?.role === 'system' ? textOf(messages[0].content) : undefined;
  if (system !== undefined) start = 1;
  if (tools.length > 0) {
    out += `<|im_start|>system\n${system ? `${system}\n\n` : ''}# Tools\n\nYou may call one or more functions to assist with the user query.\n\n<tools>`;
    for (const tool of tools) out += `\n${JSON.stringify(tool)}`;
    out += '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags.<|im_end|>\n';
  } else if (system !== undefined) {
    out += `<|im_start|>system\n${system}<|im_end|>\n`;
  }
  let lastQuery = messages.length - 1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user' && !textOf(m.content).startsWith('<tool_response>')) {
      lastQuery = i;
      break;
    }
  }
  for (let i = start; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === 'user' || m.role === 'system') {
      out += `<|im_start|>${m.role}\n${textOf(m.content)}<|im_end|>\n`;
    } else if (m.role === 'assistant') {
      const reasoning = m.reasoning_content ?? m.reasoning;
      const keep = (preserve || i > lastQuery) && typeof reasoning === 'string' && reasoning !== '';
      out += `<|im_start|>assistant\n${assistantText(keep ? reasoning : undefined, textOf(m.content), m.tool_calls ?? [])}<|im_end|>\n`;
    } else if (m.role === 'tool') {
      if (messages[i - 1]?.role !== 'tool') out += '<|im_start|>user';
      out += `\n<tool_response>\n${textOf(m.content)}\n</tool_response>`;
      if (messages[i + 1]?.role !== 'tool') out += '<|im_end|>\n';
    }
  }
  out += '<|im_start|>assistant\n';
  if (kwargs.enable_thinking === false) out += '<think>\n\n</think>\n\n';
  return out;
}

/** The generated text of a planned answer, as it sits in the slot after the prompt. */
function generatedText(turn: PlannedTurn): string {
  const reasoning = turn.reasoningPieces.join('');
  const calls = turn.calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
  return `${assistantText(reasoning === '' ? undefined : reasoning, turn.contentPieces.join(''), calls)}<|im_end|>`;
}

const INVALID_FILENAME = 'Invalid filename';
const RESTORE_FAILED = 'Unable to restore slot, no available space in KV cache or invalid slot save file';
const NOT_SUPPORTED = 'This server does not support slots action. Start it with `--slot-save-path`';

function validFilename(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && name.length <= 255 && basename(name) === name && name !== '.' && name !== '..' && !name.includes('\0');
}

export class LlamaKv {
  readonly template: ChatTemplate;
  readonly slotSavePath: string | undefined;
  private slots: Slot[];
  private clock = 0;
  private tasks = 0;
  private readonly kvBytesPerToken: number;
  /** Per request: prompt tokens and how many of them had to be processed. */
  readonly log: { slot: number; promptTokens: number; cached: number; processed: number; ideal: number }[] = [];
  /** The last sequence processed (prompt and answer), with `trackIdeal`. */
  private readonly history: string[][] = [];
  private readonly trackIdeal: boolean;

  constructor(options: LlamaKvOptions = {}) {
    this.template = options.template ?? 'qwen3';
    this.slotSavePath = options.slotSavePath;
    this.kvBytesPerToken = options.kvBytesPerToken ?? 0;
    this.trackIdeal = options.trackIdeal ?? false;
    this.slots = this.emptySlots(options.slots ?? 4);
  }

  get totalSlots(): number {
    return this.slots.length;
  }

  /** The server restarted: every slot's cache is gone; saved files stay. */
  restart(): void {
    this.slots = this.emptySlots(this.slots.length);
  }

  /** The tokens a slot holds (tests read this). */
  slotTokens(id: number): readonly string[] {
    return this.slots[id]?.tokens ?? [];
  }

  /** Sends a request to a slot; a prompt over `contextWindow` gets llama-server's 400 instead. */
  admit(body: Json, contextWindow: number): Admission | { overflow: number } {
    const tokens = tokenize(renderPrompt(body, this.template));
    if (tokens.length > contextWindow) return { overflow: tokens.length };
    const slot = this.pick(body, tokens);
    const lcp = commonPrefix(slot.tokens, tokens);
    // llama-server evaluates at least the last prompt token again.
    const cached = Math.min(lcp, tokens.length - 1);
    slot.tokens = tokens.slice();
    slot.processing = true;
    slot.lastUsed = ++this.clock;
    slot.idTask = ++this.tasks;
    slot.nPrompt = tokens.length;
    slot.nCache = cached;
    slot.nProcessed = tokens.length - cached;
    const ideal = this.trackIdeal ? Math.min(this.longestEverShared(tokens), tokens.length - 1) : 0;
    this.log.push({ slot: slot.id, promptTokens: tokens.length, cached, processed: tokens.length - cached, ideal });
    return {
      slot: slot.id,
      promptTokens: tokens.length,
      cached,
      complete: (turn) => {
        slot.processing = false;
        if (turn) for (const token of tokenize(generatedText(turn))) slot.tokens.push(token);
        if (this.trackIdeal) this.history[0] = slot.tokens.slice();
      },
    };
  }

  /** GET /slots. */
  list(contextWindow: number): unknown {
    return this.slots.map((slot) => ({
      id: slot.id,
      n_ctx: contextWindow,
      speculative: false,
      is_processing: slot.processing,
      ...(slot.idTask === undefined
        ? { id_task: -1 }
        : {
            id_task: slot.idTask,
            n_prompt_tokens: slot.nPrompt,
            n_prompt_tokens_processed: slot.nProcessed,
            n_prompt_tokens_cache: slot.nCache,
            params: { n_predict: -1 },
            next_token: [{ has_next_token: false, has_new_line: false, n_remain: -1, n_decoded: 0 }],
          }),
    }));
  }

  /** POST /slots/{id}?action=... with its JSON body. */
  action(idText: string, action: string | null, body: Json): SlotReply {
    const error = (status: number, message: string, type: string) => ({ status, body: { error: { code: status, message, type } } });
    if (!this.slotSavePath) return error(501, NOT_SUPPORTED, 'not_supported_error');
    const id = Number(idText);
    const slot = Number.isInteger(id) ? this.slots[id] : undefined;
    if (!slot) return error(400, 'Invalid slot ID', 'invalid_request_error');
    if (action === 'save' || action === 'restore') {
      if (!validFilename(body.filename)) return error(400, INVALID_FILENAME, 'invalid_request_error');
      const file = join(this.slotSavePath, body.filename);
      const started = performance.now();
      if (action === 'save') {
        mkdirSync(this.slotSavePath, { recursive: true });
        const bytes = this.encode(slot.tokens);
        writeFileSync(file, bytes);
        return {
          status: 200,
          body: { id_slot: slot.id, filename: body.filename, n_saved: slot.tokens.length, n_written: bytes.length, timings: { save_ms: performance.now() - started } },
        };
      }
      const tokens = existsSync(file) ? this.decode(readFileSync(file)) : undefined;
      if (!tokens) {
        // llama-server clears the slot when a restore fails (its KV may be invalid).
        slot.tokens = [];
        return error(400, RESTORE_FAILED, 'invalid_request_error');
      }
      slot.tokens = tokens;
      slot.lastUsed = ++this.clock;
      return {
        status: 200,
        body: { id_slot: slot.id, filename: body.filename, n_restored: tokens.length, n_read: statSync(file).size, timings: { restore_ms: performance.now() - started } },
      };
    }
    if (action === 'erase') {
      const erased = slot.tokens.length;
      slot.tokens = [];
      return { status: 200, body: { id_slot: slot.id, n_erased: erased } };
    }
    return error(400, 'Invalid action', 'invalid_request_error');
  }

  /** The prefix `tokens` shares with the previous request's prompt and answer. */
  private longestEverShared(tokens: readonly string[]): number {
    const previous = this.history.at(-1);
    return previous ? commonPrefix(previous, tokens) : 0;
  }

  private emptySlots(count: number): Slot[] {
    return Array.from({ length: count }, (_, id) => ({ id, tokens: [], lastUsed: 0, processing: false }));
  }

  /** `id_slot` when it names a slot, else the longest common prefix, else the least recently used idle slot. */
  private pick(body: Json, tokens: readonly string[]): Slot {
    const named = typeof body.id_slot === 'number' && body.id_slot >= 0 ? this.slots[body.id_slot] : undefined;
    if (named) return named;
    let best: Slot | undefined;
    let bestLength = 0;
    for (const slot of this.slots) {
      if (slot.processing) continue;
      const length = commonPrefix(slot.tokens, tokens);
      if (length > bestLength) [best, bestLength] = [slot, length];
    }
    // --slot-prompt-similarity 0.1: a prefix under a tenth of the prompt does not choose the slot.
    if (best && bestLength >= 0.1 * tokens.length) return best;
    const idle = this.slots.filter((slot) => !slot.processing);
    const pool = idle.length > 0 ? idle : this.slots;
    return pool.find((slot) => slot.tokens.length === 0) ?? pool.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
  }

  /** A slot file: a header line with the tokens, then the KV state's bytes. */
  private encode(tokens: readonly string[]): Buffer {
    const header = Buffer.from(`${JSON.stringify({ magic: 'scripted-llama-slot', tokens })}\n`);
    return Buffer.concat([header, Buffer.alloc(tokens.length * this.kvBytesPerToken, 0x5a)]);
  }

  private decode(bytes: Buffer): string[] | undefined {
    const end = bytes.indexOf(0x0a);
    if (end < 0) return undefined;
    try {
      const header = JSON.parse(bytes.subarray(0, end).toString('utf8')) as { magic?: string; tokens?: unknown };
      return header.magic === 'scripted-llama-slot' && Array.isArray(header.tokens) ? (header.tokens as string[]) : undefined;
    } catch {
      return undefined;
    }
  }
}
