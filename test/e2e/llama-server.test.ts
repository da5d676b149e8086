/**
 * endure against llama-server as it really behaves (shared/reference/llama-server.md),
 * with the real CLI: the endpoint checks and resume's re-detection of a new
 * endpoint, prefill accounting from `timings`, and the KV cache saved with the
 * session and restored after the server restarted.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { startScriptedServer } from '../support/scripted-server.js';
import { call, e2eTest as test, hangOnce, journalOf, planModel, sessionIds } from '../support/e2e-fixtures.js';

describe('llama-server', { timeout: 120_000 }, () => {
  test('--base-url that is not a URL exits 2 with one line naming the flag', async ({ endure }) => {
    const run = await endure.exec(['say hi'], { baseUrl: 'not-a-url' }).done;
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--base-url "not-a-url" is not an http\(s\) URL/);
  });

  test('a resume with another --base-url detects that server and model afresh and journals the change', async ({ server, endure, home }) => {
    server.respondWith(planModel([{ toolCalls: [call('list_dir', { path: '.' })] }], 'Listed.'));
    expect((await endure.exec(['list the files']).done).code).toBe(0);
    const other = await startScriptedServer({ dialect: 'vllm', model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct' });
    try {
      other.respondWith(planModel([], 'Counted.'));
      const id = sessionIds(home)[0]!;
      const resumed = await endure.exec(['--resume', id, 'count them'], { baseUrl: other.url }).done;
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toBe('Counted.\n');
      expect(resumed.stderr).toContain(`now talks to ${other.url} (vllm, Qwen/Qwen3-Coder-30B-A3B-Instruct)`);
      const body = other.requests.at(-1)!.body;
      expect(body.model).toBe('Qwen/Qwen3-Coder-30B-A3B-Instruct');
      // The coder model's sampling, in vLLM's key, not the old model's in llama-server's.
      expect(body).toMatchObject({ temperature: 0.7, top_p: 0.8, repetition_penalty: 1.05 });
      expect(body).not.toHaveProperty('repeat_penalty');
      const changes = journalOf(home, id).records.filter((record) => record.kind === 'endpoint');
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ endpoint: { baseURL: other.url, server: 'vllm', model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct' }, previous: { baseURL: server.url, server: 'llama', model: 'qwen3.6-27b' } });

      // The next resume without flags stays on the new endpoint.
      other.respondWith(planModel([], 'Still here.'));
      const again = await endure.run(['exec', '--resume', id, '--cwd', '.', '--sandbox', 'host', 'and again']).done;
      expect(again.code).toBe(0);
      expect(other.requests.at(-1)!.body.messages.at(-1).content).toBe('and again');
    } finally {
      await other.close();
    }
  });

  test('each turn records what the server prefilled (timings.prompt_n), summed in the json result and shown by sessions show', async ({ endure, home }) => {
    const llama = await startScriptedServer({ llama: {} });
    try {
      llama.respondWith(planModel([{ reasoning: 'Look first.', toolCalls: [call('list_dir', { path: '.' })] }, { toolCalls: [call('read_file', { path: 'README.md' })] }], 'Read it.'));
      const run = await endure.exec(['--output-format', 'json', 'read the readme'], { baseUrl: llama.url }).done;
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout);
      const log = llama.kv!.log;
      expect(log).toHaveLength(3);
      // The second and third requests extend the first: only their new tokens were processed.
      expect(log[1]!.processed).toBeLessThan(log[1]!.promptTokens / 4);
      expect(result.usage.prefilled_tokens).toBe(log.reduce((sum, entry) => sum + entry.processed, 0));
      expect(result.usage.cached_tokens).toBe(log.reduce((sum, entry) => sum + entry.cached, 0));
      const id = sessionIds(home)[0]!;
      const turns = journalOf(home, id).records.flatMap((record) => (record.kind === 'assistant' ? [record.usage?.prefilledTokens] : []));
      expect(turns).toEqual(log.map((entry) => entry.processed));
      const shown = await endure.run(['sessions', 'show', id]).done;
      expect(shown.stdout).toContain(`${log[1]!.processed} prefilled)`);
    } finally {
      await llama.close();
    }
  });

  test('doctor says whether slot saving is on and warns when the window is smaller than endure\'s first request', async ({ scratch, endure }) => {
    const small = await startScriptedServer({ contextWindow: 2048, llama: {} });
    const good = await startScriptedServer({ contextWindow: 65536, llama: { slotSavePath: join(scratch, 'slots') } });
    try {
      const warned = await endure.run(['doctor', '--base-url', small.url, '--sandbox', 'host']).done;
      expect(warned.code).toBe(0);
      expect(warned.stdout).toMatch(/! slot saving is off: .*\n    fix: start llama-server with --slot-save-path DIR/);
      expect(warned.stdout).toMatch(/! the context window \(2048 tokens\) is smaller than endure's own first request \(system prompt and \d+ tool schemas, about \d+ tokens\)/);
      const fine = await endure.run(['doctor', '--base-url', good.url, '--sandbox', 'host']).done;
      expect(fine.code).toBe(0);
      expect(fine.stdout).toContain("✓ slot saving is on: endure saves each session's KV cache and restores it on resume");
      expect(fine.stdout).toMatch(/✓ context window 65536 tokens: endure's first request takes about \d+ \(\d+%\)/);
      expect(good.slotRequests.every((request) => request.status === 400)).toBe(true);
    } finally {
      await small.close();
      await good.close();
    }
  });

  test('Qwen3.6 with a template that supports it gets preserve_thinking, so a follow-up keeps the whole prefix cached', async ({ endure, home }) => {
    const llama = await startScriptedServer({ llama: { template: 'qwen3.6' } });
    try {
      llama.respondWith(planModel([{ reasoning: 'Look first.', toolCalls: [call('list_dir', { path: '.' })] }], 'Listed.'));
      expect((await endure.exec(['list the files'], { baseUrl: llama.url }).done).code).toBe(0);
      expect(llama.requests[0]!.body.chat_template_kwargs).toMatchObject({ preserve_thinking: true });
      llama.respondWith(planModel([], 'Two files.'));
      expect((await endure.exec(['--resume', sessionIds(home)[0]!, 'count them'], { baseUrl: llama.url }).done).code).toBe(0);
      const followUp = llama.kv!.log.at(-1)!;
      expect(followUp.cached / followUp.promptTokens).toBeGreaterThan(0.9);
    } finally {
      await llama.close();
    }
  });

  describe('the KV cache saved with the session', () => {
    const WORK = [
      { reasoning: 'Look around.', toolCalls: [call('list_dir', { path: '.' })] },
      { toolCalls: [call('read_file', { path: 'README.md' })] },
      { toolCalls: [call('run_shell', { command: 'echo one' })] },
    ];

    test('a session killed mid-run, the server restarted with its slot files: the resume restores the cache before its first request and names the slot', async ({ scratch, endure, home }) => {
      const slotDir = join(scratch, 'slots');
      // Save after every turn (a tiny period of model time), as a long run would every few minutes.
      writeConfig(scratch, { slotSave: { everyMinutes: 1e-6 } });
      const llama = await startScriptedServer({ llama: { slotSavePath: slotDir } });
      try {
        let hung!: () => void;
        const hanging = new Promise<void>((resolve) => (hung = resolve));
        llama.respondWith(planModel([...WORK, hangOnce(() => hung(), { content: 'Done.' })], 'Done.'));
        const run = endure.exec(['look at the project'], { baseUrl: llama.url });
        await hanging;
        run.child.kill('SIGKILL');
        await run.done;
        const id = sessionIds(home)[0]!;
        const saves = journalOf(home, id).records.filter((record) => record.kind === 'slot' && record.action === 'save');
        expect(saves).toHaveLength(3);
        expect(saves.at(-1)).toMatchObject({ file: `endure-${id}.bin`, reason: 'periodic', prefixHash: expect.stringMatching(/^[0-9a-f]{16}$/) });
        expect(existsSync(join(slotDir, `endure-${id}.bin`))).toBe(true);

        llama.restart();
        const chatsBefore = llama.requestCount;
        const resumed = await endure.exec(['--resume', id], { baseUrl: llama.url }).done;
        expect(resumed.code).toBe(0);
        expect(resumed.stdout).toBe('Done.\n');
        const restore = llama.slotRequests.find((request) => request.path.includes('action=restore'))!;
        expect(restore).toMatchObject({ status: 200, body: { filename: `endure-${id}.bin` }, index: chatsBefore });
        const restoredSlot = Number(/slots\/(\d+)/.exec(restore.path)![1]);
        const first = llama.requests.find((request) => request.index === chatsBefore + 1)!;
        expect(first.body.id_slot).toBe(restoredSlot);
        const served = llama.kv!.log[chatsBefore]!;
        expect(served.slot).toBe(restoredSlot);
        expect(served.cached / served.promptTokens).toBeGreaterThan(0.9);
        expect(resumed.stderr).toMatch(new RegExp(`restored the KV cache from endure-${id}\\.bin into slot ${restoredSlot}`));
        const restores = journalOf(home, id).records.filter((record) => record.kind === 'slot' && record.action === 'restore');
        expect(restores).toEqual([expect.objectContaining({ slot: restoredSlot, file: `endure-${id}.bin` })]);
      } finally {
        await llama.close();
      }
    });

    test('a clean stop saves the slot; a missing file on resume is one line and a plain request', async ({ scratch, endure, home }) => {
      const slotDir = join(scratch, 'slots');
      const llama = await startScriptedServer({ llama: { slotSavePath: slotDir } });
      try {
        llama.respondWith(planModel(WORK, 'Done.'));
        const stopped = await endure.exec(['--max-turns', '2', 'look at the project'], { baseUrl: llama.url }).done;
        expect(stopped.code).toBe(3);
        const id = sessionIds(home)[0]!;
        const saves = journalOf(home, id).records.filter((record) => record.kind === 'slot');
        expect(saves).toEqual([expect.objectContaining({ action: 'save', reason: 'the session stopped', tokens: expect.any(Number) })]);

        rmSync(join(slotDir, `endure-${id}.bin`));
        llama.restart();
        const chatsBefore = llama.requestCount;
        const resumed = await endure.exec(['--resume', id], { baseUrl: llama.url }).done;
        expect(resumed.code).toBe(0);
        const lines = resumed.stderr.split('\n').filter((line) => line.includes('KV cache'));
        expect(lines).toEqual([expect.stringMatching(/could not restore the KV cache from endure-.*\(400: Unable to restore slot.*\); the first request prefills the whole prompt/)]);
        expect(llama.requests.find((request) => request.index === chatsBefore + 1)!.body).not.toHaveProperty('id_slot');
      } finally {
        await llama.close();
      }
    });

    test('without --slot-save-path nothing is saved and requests name no slot', async ({ endure, home }) => {
      const llama = await startScriptedServer({ llama: {} });
      try {
        llama.respondWith(planModel(WORK, 'Done.'));
        const run = await endure.exec(['look at the project'], { baseUrl: llama.url }).done;
        expect(run.code).toBe(0);
        expect(llama.slotRequests.map((request) => request.status)).toEqual([501]);
        expect(llama.requests.every((request) => !('id_slot' in request.body))).toBe(true);
        expect(journalOf(home, sessionIds(home)[0]!).records.filter((record) => record.kind === 'slot')).toEqual([]);
        expect(run.stderr).not.toContain('KV cache');
      } finally {
        await llama.close();
      }
    });
  });
});

function writeConfig(scratch: string, config: object): void {
  const dir = join(scratch, 'user-home', '.config', 'endure');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
}
