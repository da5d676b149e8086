/**
 * llama-server's slot endpoints (`GET /slots`, `POST /slots/{id}?action=save|restore`),
 * which exist only when the server runs with `--slot-save-path`. Each call
 * answers a value or a one-line reason; nothing here throws on a server that
 * says no, because every use of slots has a plain request to fall back to.
 */
import { serverRoot } from './detect.js';

export interface SlotEndpoint {
  baseURL: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

export interface SlotInfo {
  id: number;
  processing: boolean;
  /** Prompt tokens of the slot's last task (absent for an unused slot). */
  promptTokens?: number;
  task?: number;
}

export type SlotAnswer<T> = { ok: true; value: T } | { ok: false; status?: number; reason: string };

/** `on`: saving works; `off`: the server runs without --slot-save-path; `unknown`: no answer that says. */
export type SlotSaving = 'on' | 'off' | 'unknown';

/** The slot file of a session: a plain name (llama-server refuses paths), one per session. */
export function slotFileName(sessionId: string): string {
  return `endure-${sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}.bin`;
}

async function call(endpoint: SlotEndpoint, method: 'GET' | 'POST', path: string, body?: unknown): Promise<SlotAnswer<unknown>> {
  const fetchImpl = endpoint.fetch ?? globalThis.fetch;
  try {
    const response = await fetchImpl(`${serverRoot(endpoint.baseURL)}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a plain-text answer stays text
    }
    if (response.ok) return { ok: true, value: parsed };
    const message = (parsed as { error?: { message?: unknown } } | null)?.error?.message;
    return { ok: false, status: response.status, reason: `${response.status}: ${typeof message === 'string' ? message : text.slice(0, 200)}` };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether slot saving is on, asked without touching any slot: a save with a
 * name llama-server refuses answers 400 "Invalid filename" when saving is on,
 * 501 when the server runs without --slot-save-path.
 */
export async function slotSaving(endpoint: SlotEndpoint): Promise<SlotSaving> {
  const answer = await call(endpoint, 'POST', '/slots/0?action=save', { filename: '../endure-probe.bin' });
  if (answer.ok) return 'unknown';
  if (answer.status === 501) return 'off';
  if (answer.status === 400 && /invalid filename/i.test(answer.reason)) return 'on';
  return 'unknown';
}

export async function listSlots(endpoint: SlotEndpoint): Promise<SlotAnswer<SlotInfo[]>> {
  const answer = await call(endpoint, 'GET', '/slots');
  if (!answer.ok) return answer;
  if (!Array.isArray(answer.value)) return { ok: false, reason: 'GET /slots did not answer a list' };
  const slots = answer.value.flatMap((raw: Record<string, unknown>) =>
    typeof raw?.['id'] === 'number'
      ? [
          {
            id: raw['id'],
            processing: raw['is_processing'] === true,
            ...(typeof raw['n_prompt_tokens'] === 'number' ? { promptTokens: raw['n_prompt_tokens'] } : {}),
            ...(typeof raw['id_task'] === 'number' && raw['id_task'] >= 0 ? { task: raw['id_task'] } : {}),
          },
        ]
      : [],
  );
  return { ok: true, value: slots };
}

export interface SlotTransfer {
  slot: number;
  tokens: number;
  bytes: number;
  /** Time the server reported for the transfer. */
  ms: number;
}

function transfer(value: unknown, tokensKey: string, bytesKey: string, msKey: string, slot: number): SlotTransfer {
  const record = (value ?? {}) as Record<string, unknown>;
  const timings = (record['timings'] ?? {}) as Record<string, unknown>;
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { slot, tokens: number(record[tokensKey]), bytes: number(record[bytesKey]), ms: number(timings[msKey]) };
}

export async function saveSlot(endpoint: SlotEndpoint, slot: number, filename: string): Promise<SlotAnswer<SlotTransfer>> {
  const answer = await call(endpoint, 'POST', `/slots/${slot}?action=save`, { filename });
  return answer.ok ? { ok: true, value: transfer(answer.value, 'n_saved', 'n_written', 'save_ms', slot) } : answer;
}

export async function restoreSlot(endpoint: SlotEndpoint, slot: number, filename: string): Promise<SlotAnswer<SlotTransfer>> {
  const answer = await call(endpoint, 'POST', `/slots/${slot}?action=restore`, { filename });
  return answer.ok ? { ok: true, value: transfer(answer.value, 'n_restored', 'n_read', 'restore_ms', slot) } : answer;
}

/** The slot that served a prompt of `promptTokens` tokens last: the newest idle slot with that count. */
export function slotHolding(slots: readonly SlotInfo[], promptTokens: number): number | undefined {
  const matching = slots.filter((slot) => !slot.processing && slot.promptTokens === promptTokens);
  matching.sort((a, b) => (b.task ?? -1) - (a.task ?? -1));
  return matching[0]?.id;
}

/** A slot to restore into: an idle one, unused ones first, then the one whose task is oldest. */
export function freeSlot(slots: readonly SlotInfo[]): number | undefined {
  const idle = slots.filter((slot) => !slot.processing);
  const unused = idle.find((slot) => slot.task === undefined);
  if (unused) return unused.id;
  idle.sort((a, b) => (a.task ?? -1) - (b.task ?? -1));
  return idle[0]?.id;
}
