/**
 * Keeps llama-server's KV cache with the session (`--slot-save-path`): a model
 * client around the real one that saves the slot holding the session's prompt
 * to a file named after the session (at a clean stop, before a compaction
 * replaces the prefix, and after every `everyMs` of model time), and on resume
 * restores that file into a free slot and sends the first request to it, so a
 * restarted server does not prefill the whole conversation again.
 *
 * Every step may fail (no slot saving, a missing file, a busy server): each
 * failure becomes one line and the plain request goes on. The slot holding the
 * prompt is found by its prompt token count in GET /slots (llama-server says
 * nothing in the response itself), unless a restore pinned it.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, EndpointInfo, ModelClient, ModelEvent, ModelRequest } from './types.js';
import { freeSlot, listSlots, restoreSlot, saveSlot, slotFileName, slotHolding, slotSaving, type SlotEndpoint, type SlotTransfer } from './llama-slots.js';

/** What the journal keeps of a save or a restore (the `slot` record's body). */
export interface SlotEvent {
  action: 'save' | 'restore';
  file: string;
  slot: number;
  tokens: number;
  bytes: number;
  ms: number;
  prefixHash?: string;
  /** Messages of the conversation the saved prompt covers. */
  messages?: number;
  reason?: string;
}

export interface SlotKeeperOptions {
  sessionId: string;
  slots: SlotEndpoint;
  /** Model time between periodic saves; 0 saves only at stops and compactions. */
  everyMs: number;
  journal: (event: SlotEvent) => void;
  /** One line for the user (a restore, or why it did not happen). */
  notice: (line: string) => void;
  clock?: () => number;
}

/** A hash of the first `count` messages: what a saved prompt covers, checked again before a restore. */
export function prefixHash(messages: readonly ChatMessage[], count: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < count && i < messages.length; i++) hash.update(JSON.stringify(messages[i])).update('\n');
  return hash.digest('hex').slice(0, 16);
}

export class SlotKeepingClient implements ModelClient {
  readonly file: string;
  private readonly clock: () => number;
  /** The slot the next request names (`id_slot`), after a restore. */
  private pinned: number | undefined;
  /** The slot a restore filled, still to be confirmed by a request. */
  private restoredSlot: number | undefined;
  /** The last main request: its prompt size and the messages it sent. */
  private last: { promptTokens: number; messages: readonly ChatMessage[]; count: number } | undefined;
  private savedAt: { promptTokens: number; count: number } | undefined;
  private modelMsSinceSave = 0;
  private saving = true;

  constructor(
    private readonly inner: ModelClient,
    private readonly options: SlotKeeperOptions,
  ) {
    this.file = slotFileName(options.sessionId);
    this.clock = options.clock ?? Date.now;
  }

  get endpoint(): EndpointInfo {
    return this.inner.endpoint;
  }

  /**
   * Whether slot saving is on at the server; off turns this client into the plain one.
   * `asked`: the answer of a `slotSaving` request already under way (start-up asks while it does other work).
   */
  async probe(asked?: Promise<'on' | 'off' | 'unknown'>): Promise<'on' | 'off' | 'unknown'> {
    const state = await (asked ?? slotSaving(this.options.slots));
    this.saving = state === 'on';
    return state;
  }

  /**
   * Before the first request of a resume: restore the session's last saved slot
   * file when the conversation still starts with the prompt it covers.
   */
  async restore(saved: SlotEvent | undefined, messages: readonly ChatMessage[]): Promise<void> {
    if (!this.saving || !saved) return;
    if (saved.prefixHash && saved.messages !== undefined && prefixHash(messages, saved.messages) !== saved.prefixHash) {
      this.options.notice(`the saved KV cache ${saved.file} covers a conversation that has changed since (a compaction or a rewind); the first request prefills the whole prompt`);
      return;
    }
    const slots = await listSlots(this.options.slots);
    const target = slots.ok ? freeSlot(slots.value) : undefined;
    if (target === undefined) {
      this.options.notice(`could not restore the KV cache from ${saved.file}: ${slots.ok ? 'no idle slot' : slots.reason}; the first request prefills the whole prompt`);
      return;
    }
    const answer = await restoreSlot(this.options.slots, target, saved.file);
    if (!answer.ok) {
      this.options.notice(`could not restore the KV cache from ${saved.file} (${answer.reason}); the first request prefills the whole prompt`);
      return;
    }
    this.pinned = target;
    this.restoredSlot = target;
    this.options.journal({ action: 'restore', ...this.transferOf(answer.value), reason: 'resume' });
    this.options.notice(`restored the KV cache from ${saved.file} into slot ${target} (${answer.value.tokens} tokens, ${Math.round(answer.value.ms)} ms)`);
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    const side = request.purpose !== undefined && request.purpose !== 'turn';
    if (request.purpose === 'compaction') await this.save('a compaction replaces the prefix');
    const slot = side ? undefined : this.pinned;
    this.pinned = undefined;
    const started = this.clock();
    let promptTokens: number | undefined;
    for await (const event of this.inner.stream(slot === undefined ? request : { ...request, slot })) {
      if (event.type === 'usage') promptTokens = event.usage.promptTokens;
      yield event;
    }
    if (side) return;
    this.restoredSlot = undefined;
    if (promptTokens !== undefined) this.last = { promptTokens, messages: request.messages, count: request.messages.length };
    this.modelMsSinceSave += this.clock() - started;
    if (this.options.everyMs > 0 && this.modelMsSinceSave >= this.options.everyMs) await this.save('periodic');
  }

  /** Saves the slot holding the last main prompt; quiet when there is nothing new to save. */
  async save(reason: string): Promise<void> {
    const last = this.last;
    if (!this.saving || !last) return;
    if (this.savedAt && this.savedAt.promptTokens === last.promptTokens && this.savedAt.count === last.count) return;
    this.modelMsSinceSave = 0;
    const slots = await listSlots(this.options.slots);
    const slot = slots.ok ? slotHolding(slots.value, last.promptTokens) : undefined;
    if (slot === undefined) {
      this.options.notice(`did not save the KV cache (${slots.ok ? 'no idle slot holds the last prompt' : slots.reason})`);
      return;
    }
    const answer = await saveSlot(this.options.slots, slot, this.file);
    if (!answer.ok) {
      this.options.notice(`could not save the KV cache to ${this.file} (${answer.reason})`);
      return;
    }
    this.savedAt = { promptTokens: last.promptTokens, count: last.count };
    this.options.journal({
      action: 'save',
      ...this.transferOf(answer.value),
      prefixHash: prefixHash(last.messages, last.count),
      messages: last.count,
      reason,
    });
  }

  private transferOf(value: SlotTransfer): Pick<SlotEvent, 'file' | 'slot' | 'tokens' | 'bytes' | 'ms'> {
    return { file: this.file, slot: value.slot, tokens: value.tokens, bytes: value.bytes, ms: value.ms };
  }
}
