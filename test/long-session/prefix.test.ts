/**
 * Prefix-cache discipline over a session of 120+ calls in a 16k-token window,
 * asserted on the raw bodies the server received: between compactions every
 * body starts with the previous body less its last two bytes (`]}`: the body
 * puts `messages` last), and after each compaction the body starts again with
 * the same model settings, tools and system prompt. The system prompt carries
 * no clock or changing text, the tools come in a fixed order, and the tool
 * output caps scale down to the small window.
 */
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import type { TurnStep } from '../support/scripted-server.js';
import { compactionRecords, isCompactionRequest, loopRequests, messagesOf, textFiles, worker } from './support.js';

const TASK = 'Survey the project: read, search, run commands and take notes.';
const FILES = { ...textFiles(10, 1500), 'notes.md': 'n=0\n' };
const STEPS = 120;

/** A mix of reads (some in parallel), greps, globs, edits, writes, shell commands and large outputs. */
function mix(k: number): TurnStep | undefined {
  if (k >= STEPS) return undefined;
  switch (k % 8) {
    case 0:
      return { reasoning: `Step ${k}: read two files.`, toolCalls: [call('read_file', { path: `src/f${k % 10}.txt` }), call('read_file', { path: `src/f${(k + 1) % 10}.txt` })] };
    case 1:
      return { toolCalls: [call('grep', { pattern: `line ${k % 20}:` })] };
    case 2:
      return { content: 'Noting progress.', toolCalls: [call('edit_file', { path: 'notes.md', old_string: `n=${(k - 2) / 8}`, new_string: `n=${(k + 6) / 8}` })] };
    case 3:
      return { toolCalls: [call('run_shell', { command: `echo "step ${k}" && ls src | wc -l` })] };
    case 4:
      return { toolCalls: [call('glob', { pattern: `src/f${k % 10}*` })] };
    case 5:
      return { toolCalls: [call('write_file', { path: `out/${k % 5}.txt`, content: `step ${k} “quoted” ünïcode ✓\n` })] };
    case 6:
      return { toolCalls: [call('run_shell', { command: `seq 1 ${20000 + k}` })] };
    default:
      return { toolCalls: [call('list_dir', { path: 'src' })] };
  }
}

describe('prefix discipline (16k window, 120 steps)', () => {
  test('every body extends the previous one between compactions; system prompt and tools never change', async ({ server, endure, home, scratch }) => {
    server.respondWith(worker({ step: mix, final: 'Survey done.' }));
    const run = await endure.exec(['--context-window', '16384', TASK], { cwd: makeRepo(scratch, 'work', FILES) }).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Survey done.\n');

    const all = server.requests;
    const requests = loopRequests(all);
    expect(requests.length).toBe(STEPS + 1);
    const { records } = journalOf(home, sessionIds(home)[0]!);
    const compactions = compactionRecords(records).length;
    expect(compactions).toBeGreaterThanOrEqual(3);
    expect(all.filter(isCompactionRequest)).toHaveLength(compactions);

    const first = requests[0]!;
    const system = messagesOf(first)[0]!;
    // Everything before the first message's content: model, tools, sampling, then `messages` and the system prompt.
    const head = first.raw.slice(0, first.raw.indexOf('"messages":[') + '"messages":['.length) + JSON.stringify(system);
    let extending = 0;
    let restarts = 0;
    for (let i = 1; i < all.length; i++) {
      const request = all[i]!;
      if (isCompactionRequest(request)) continue;
      expect(request.raw.startsWith(head)).toBe(true);
      const previous = all[i - 1]!;
      if (isCompactionRequest(previous)) {
        restarts++;
        expect(messagesOf(request)[1]!.content).toMatch(/^\[Summary of the earlier part of this session\]\nGoal \(the original task, verbatim\):\n/);
        continue;
      }
      expect(request.raw.startsWith(previous.raw.slice(0, -2)), `request ${request.index} extends request ${previous.index}`).toBe(true);
      expect(previous.raw.endsWith(']}')).toBe(true);
      expect(request.raw.length).toBeGreaterThan(previous.raw.length);
      extending++;
    }
    expect(restarts).toBe(compactions);
    expect(extending).toBe(requests.length - 1 - compactions);

    const names = (first.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(names).toContain('read_output');
    expect(new Set(names).size).toBe(names.length);
    expect(system.content).not.toMatch(/\b20\d\d-\d\d-\d\d\b|\d\d:\d\d:\d\d/);
    expect(system.content).not.toContain(scratch);

    // The tool-output cap scaled down to the window: a 100 KB listing reaches the model as a few KB.
    for (const request of requests)
      for (const message of messagesOf(request)) if (message.role === 'tool') expect(message.content.length).toBeLessThan(4_000);
    const cut = requests.filter((request) => /left out of \d+; call read_output with id "[0-9a-f]{64}"/.test(messagesOf(request).at(-1)!.content));
    expect(cut.length).toBe(STEPS / 8);

    // A second session, later and in another directory, sends the very same first request.
    const again = server.requestCount;
    server.respondWith(worker({ step: () => undefined, final: 'Nothing to do.' }));
    expect((await endure.exec(['--context-window', '16384', TASK], { cwd: makeRepo(scratch, 'elsewhere', FILES) }).done).code).toBe(0);
    expect(server.requests[again]!.raw).toBe(first.raw);
  });
});
