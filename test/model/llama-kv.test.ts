/**
 * The scripted llama-server's prompt cache and slots answer as the reference
 * (shared/reference/llama-server.md) says the real one does, over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const open: ScriptedServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const started = await startScriptedServer(options);
  open.push(started);
  return started;
}

async function chat(s: ScriptedServer, body: object): Promise<any> {
  const response = await fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { connection: 'close' }, body: JSON.stringify({ stream: true, stream_options: { include_usage: true }, ...body }) });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, body: JSON.parse(text) };
  const usage = text
    .split('\n\n')
    .filter((event) => event.startsWith('data: {'))
    .map((event) => JSON.parse(event.slice(6)))
    .find((chunk) => chunk.usage);
  return { status: 200, usage: usage.usage, timings: usage.timings };
}

async function slots(s: ScriptedServer, path: string, body: object = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${s.url.replace(/\/v1$/, '')}${path}`, { method: 'POST', headers: { connection: 'close' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const conversation = (text: string) => ({ messages: [{ role: 'system', content: 'You are endure.' }, { role: 'user', content: text }] });

describe('scripted llama-server: prompt cache', () => {
  test('the same request twice: the second has cache_n = prompt_tokens - 1 and prompt_n = 1, in timings and prompt_tokens_details', async () => {
    const s = await server({ llama: {} });
    s.respondWith(() => ({ content: 'Hello.' }));
    const first = await chat(s, conversation('say hello to the whole team'));
    const second = await chat(s, conversation('say hello to the whole team'));
    expect(first.timings).toMatchObject({ cache_n: 0, prompt_n: first.usage.prompt_tokens });
    expect(second.timings).toMatchObject({ cache_n: second.usage.prompt_tokens - 1, prompt_n: 1 });
    expect(second.usage.prompt_tokens_details).toEqual({ cached_tokens: second.usage.prompt_tokens - 1 });
  });

  test('requests go to the slot with the longest common prefix, unless id_slot names one', async () => {
    const s = await server({ llama: {} });
    s.respondWith(() => ({ content: 'Ok.' }));
    const a = `parser ${'and its tests in detail '.repeat(10)}`;
    const b = `journal ${'and its recovery after a crash '.repeat(10)}`;
    // No shared system prompt: llama-server takes a slot whose prefix covers a tenth of the prompt.
    const alone = (text: string) => ({ messages: [{ role: 'user', content: text }] });
    await chat(s, alone(a));
    await chat(s, alone(b));
    await chat(s, alone(a));
    const [first, second, third] = s.kv!.log;
    expect(second!.slot).not.toBe(first!.slot);
    expect(third!.slot).toBe(first!.slot);
    await chat(s, { ...conversation(a), id_slot: 3 });
    expect(s.kv!.log.at(-1)).toMatchObject({ slot: 3, cached: 0 });
  });

  test('a prompt over the window gets exceed_context_size_error (400)', async () => {
    const s = await server({ llama: {}, contextWindow: 64 });
    s.respondWith(() => ({ content: 'never' }));
    const answer = await chat(s, conversation('word '.repeat(200)));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 400, type: 'exceed_context_size_error', n_ctx: 64, message: expect.stringMatching(/^request \(\d+ tokens\) exceeds the available context size \(64 tokens\), try increasing it$/) });
  });
});

describe('scripted llama-server: /slots', () => {
  test('save, restore after a restart, erase; bad names and missing files are 400s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'endure-slots-'));
    dirs.push(dir);
    const s = await server({ llama: { slotSavePath: dir } });
    s.respondWith(() => ({ content: 'Ok.' }));
    await chat(s, conversation('remember this conversation'));
    const used = s.kv!.log[0]!.slot;
    const saved = await slots(s, `/slots/${used}?action=save`, { filename: 's.bin' });
    expect(saved).toMatchObject({ status: 200, body: { id_slot: used, filename: 's.bin', n_saved: s.kv!.slotTokens(used).length, n_written: expect.any(Number), timings: { save_ms: expect.any(Number) } } });
    s.restart();
    expect(s.kv!.slotTokens(used)).toEqual([]);
    const restored = await slots(s, '/slots/2?action=restore', { filename: 's.bin' });
    expect(restored).toMatchObject({ status: 200, body: { id_slot: 2, filename: 's.bin', n_restored: saved.body.n_saved, n_read: saved.body.n_written } });
    await chat(s, { ...conversation('remember this conversation'), id_slot: 2 });
    expect(s.kv!.log.at(-1)!.processed).toBe(1);
    expect(await slots(s, '/slots/2?action=erase')).toEqual({ status: 200, body: { id_slot: 2, n_erased: expect.any(Number) } });
    expect(await slots(s, '/slots/0?action=restore', { filename: 'missing.bin' })).toMatchObject({ status: 400, body: { error: { message: 'Unable to restore slot, no available space in KV cache or invalid slot save file' } } });
    expect(await slots(s, '/slots/0?action=save', { filename: '../x.bin' })).toMatchObject({ status: 400, body: { error: { message: 'Invalid filename' } } });
  });

  test('without --slot-save-path every action is 501', async () => {
    const s = await server({ llama: {} });
    expect(await slots(s, '/slots/0?action=save', { filename: 's.bin' })).toEqual({
      status: 501,
      body: { error: { code: 501, message: 'This server does not support slots action. Start it with `--slot-save-path`', type: 'not_supported_error' } },
    });
  });
});
