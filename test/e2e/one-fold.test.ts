/**
 * One fold, one count: a session with a budget stop that cancels a call, a
 * compaction, a kill -9 during a shell call (an interrupted call) and two
 * resumes shows the same `turns` and `tool_calls` in the json result,
 * `sessions list --json`, `sessions show`, the UI's history and a replay.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { foldRecords } from '../../src/agent/fold.js';
import { readJournal } from '../../sessions/journal-reader.js';
import { describe, expect } from 'vitest';
import { historyState } from '../../src/ui/history.js';
import { journalToEvents } from '../../src/ui/journal-events.js';
import { call, e2eTest as test, journalOf, makeRepo, repoRoot, sessionIds, waitFor } from '../support/e2e-fixtures.js';
import type { TurnStep } from '../support/scripted-server.js';
import { compactionRecords, textFiles, worker } from '../long-session/support.js';

const WINDOW = ['--context-window', '16384'];
const STEPS = 24;

/** Reads, an edit every sixth step, two parallel reads at step 8, and a shell call at step 14 that waits to be killed. */
function plan(k: number): TurnStep | undefined {
  if (k >= STEPS) return undefined;
  if (k === 8) return { toolCalls: [call('read_file', { path: 'src/f1.txt' }), call('read_file', { path: 'src/f2.txt' })] };
  if (k === 14) return { toolCalls: [call('run_shell', { command: 'echo started > started.txt; while kill -0 $PPID 2>/dev/null; do sleep 0.05; done' })] };
  if (k % 6 === 5) return { toolCalls: [call('write_file', { path: `notes/n${k}.md`, content: `step ${k}\n` })] };
  return { toolCalls: [call('read_file', { path: `src/f${k % 10}.txt` })] };
}

/** What the UI and a replay show of a session's journal. */
async function viewFigures(records: Parameters<typeof historyState>[1] & unknown[]) {
  const info = { sessionId: 'x', model: 'm', server: 's', sandbox: 'host', workspace: '/', budgets: {} } as Parameters<typeof historyState>[0];
  const history = historyState(info, records);
  let last: { turns: number; toolCalls: number } | undefined;
  for await (const event of journalToEvents(records)) if (event.type === 'session_end') last = { turns: event.turns, toolCalls: event.toolCalls };
  return { ui: { turns: history.status.turn, toolCalls: history.status.toolCalls }, replay: last };
}

describe('one fold', { timeout: 180_000 }, () => {
  test('a crash, an interrupted call, a cancelled call, a compaction and resumes: the same turns and tool_calls everywhere', async ({
    server,
    endure,
    scratch,
    home,
  }) => {
    server.respondWith(worker({ step: plan, final: 'Read and noted everything.' }));
    const repo = makeRepo(scratch, 'work', { ...textFiles(10, 3000) });

    const stopped = await endure.exec([...WINDOW, '--max-tool-calls', '9', 'Read the sources and take notes.'], { cwd: repo }).done;
    expect(stopped.code).toBe(3);
    const killed = endure.exec([...WINDOW, '--resume', 'last', '--max-tool-calls', '1000'], { cwd: repo });
    await waitFor(() => existsSync(join(repo, 'started.txt')), 'the shell call to start');
    killed.child.kill('SIGKILL');
    await killed.done;
    const resumed = await endure.exec([...WINDOW, '--resume', 'last', '--max-tool-calls', '1000', '--output-format', 'json'], { cwd: repo }).done;
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as { turns: number; tool_calls: number; session_id: string };

    const id = sessionIds(home)[0]!;
    const { records } = journalOf(home, id);
    expect(compactionRecords(records).length).toBeGreaterThan(0);
    expect(records.some((record) => record.kind === 'tool_end' && record.outcome === 'interrupted')).toBe(true);
    expect(records.some((record) => record.kind === 'tool_end' && record.outcome === 'cancelled')).toBe(true);

    const list = await endure.run(['sessions', 'list', '--json']).done;
    const row = (JSON.parse(list.stdout) as { id: string; turns: number; tool_calls: number }[]).find((entry) => entry.id === id)!;
    const show = await endure.run(['sessions', 'show', id]).done;
    const shown = /^Turns: (\d+) · tool calls: (\d+)/m.exec(show.stdout);
    const view = await viewFigures(records);

    const expected = { turns: STEPS + 1, toolCalls: STEPS };
    expect({ turns: result.turns, toolCalls: result.tool_calls }).toEqual(expected);
    expect({ turns: row.turns, toolCalls: row.tool_calls }).toEqual(expected);
    expect(shown && { turns: Number(shown[1]), toolCalls: Number(shown[2]) }).toEqual(expected);
    expect(view.ui).toEqual(expected);
    expect(view.replay).toEqual(expected);
  });

  test('a journal written before the one fold (recorded, same scenario) opens with the same figures everywhere', async ({ endure, home }) => {
    const fixture = join(repoRoot, 'test/fixtures/journals/v1-budget-crash-compaction-resume.jsonl');
    const { records } = readJournal(fixture);
    const id = (records[0] as { sessionId: string }).sessionId;
    mkdirSync(join(home, 'sessions', id), { recursive: true });
    copyFileSync(fixture, join(home, 'sessions', id, 'journal.jsonl'));
    const expected = { turns: STEPS + 1, toolCalls: STEPS };

    const state = foldRecords(records);
    expect({ turns: state.turns, toolCalls: state.toolCalls }).toEqual(expected);
    expect(state.ended?.status).toBe('done');
    expect(state.compactions).toBe(1);
    expect(state.messages[0]!.role).toBe('system');
    const list = await endure.run(['sessions', 'list', '--json']).done;
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id, status: 'done', turns: expected.turns, tool_calls: expected.toolCalls })]);
    const show = await endure.run(['sessions', 'show', id]).done;
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`Turns: ${expected.turns} · tool calls: ${expected.toolCalls}`);
    expect(show.stdout).toContain('(interrupted, 0 ms)');
    expect(show.stdout).toContain('## Compaction');
    expect(await viewFigures(records)).toEqual({ ui: expected, replay: expected });
  });
});
