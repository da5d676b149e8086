/**
 * The view of an existing session drawn from its journal (resume, replay) shows
 * what the live view showed: the first line with the instruction files read, and
 * how long each reasoning block thought. The seconds come from the record's
 * `reasoningMs`, else (a journal written before it was recorded) from the share of
 * the model's time the replayed deltas give the reasoning; the finished history and
 * the replay with deltas derive the same figure.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import type { JournalRecord } from '../../sessions/records.js';
import { App } from '../../src/ui/components/app.js';
import type { FinishedItem } from '../../src/ui/finished-item.js';
import { historyState } from '../../src/ui/history.js';
import { finishedEvents, journalToEvents } from '../../src/ui/journal-events.js';
import { SessionController } from '../../src/ui/session-controller.js';
import { initialViewState, reduceEvent, type ViewState } from '../../src/ui/state.js';
import { ViewStore } from '../../src/ui/store.js';
import { itemAt } from '../../src/ui/append-log.js';
import { ScriptedDriver } from './support/scripted-driver.js';

afterEach(() => cleanup());

const T0 = Date.UTC(2026, 3, 1, 9);

function journal(assistant: Record<string, unknown>, settings: Record<string, unknown> = { instructions: ['~/.config/endure/AGENTS.md', 'AGENTS.md', 'pkg/AGENTS.md'] }): JournalRecord[] {
  let seq = 0;
  const records: JournalRecord[] = [];
  const add = (t: number, body: Record<string, unknown>) => records.push({ seq: ++seq, t: T0 + t, ...body } as JournalRecord);
  add(0, {
    kind: 'session_start', sessionId: 'h1', version: '0.1.0', task: 'fix it', cwd: '/w', workspace: '/w',
    endpoint: { baseURL: 'http://127.0.0.1:8080/v1', server: 'llama', model: 'qwen3-coder', contextWindow: 32_768 },
    sandbox: 'host', thinking: true, systemPrompt: 'sys', tools: ['read_file'], settings,
  });
  add(10, { kind: 'user', content: 'fix it' });
  add(6010, { kind: 'assistant', turn: 1, content: 'Fixed.', reasoning: 'The bug is in a.ts.', finish: 'stop', modelMs: 6000, ...assistant });
  add(6020, { kind: 'end', status: 'done', result: 'Fixed.' });
  return records;
}

const info = { sessionId: 'h1', model: 'qwen3-coder', server: 'llama', sandbox: 'host', workspace: '/w', budgets: {} };

function screenOf(state: ViewState): string {
  const driver = new ScriptedDriver(async function* () {}, info);
  const store = new ViewStore(state, { frameMs: 0 });
  const controller = new SessionController(driver, store, { approvalPolicy: 'ask', bell: () => undefined });
  // One space for each run of whitespace: the first line wraps at the frame's width.
  return (render(<App store={store} controls={controller} note="approval ask" />).lastFrame() ?? '').replace(/\s+/g, ' ');
}

function reasoningItems(state: ViewState): Extract<FinishedItem, { kind: 'reasoning' }>[] {
  const items: Extract<FinishedItem, { kind: 'reasoning' }>[] = [];
  for (let index = 0; index < state.finished.count; index += 1) {
    const item = itemAt(state.finished, index);
    if (item?.kind === 'reasoning') items.push(item);
  }
  return items;
}

async function replayed(records: JournalRecord[]): Promise<ViewState> {
  let state = initialViewState(info);
  for await (const event of journalToEvents(records)) state = reduceEvent(state, event);
  return state;
}

describe('the history view of a resumed session', () => {
  test('its first line lists the instruction files, and a reasoning block says how long it thought', () => {
    const screen = screenOf(historyState(info, journal({ reasoningMs: 4200 })));
    expect(screen).toContain('◆ session h1 started · qwen3-coder on llama · sandbox host · /w · instructions ~/.config/endure/AGENTS.md, AGENTS.md, pkg/AGENTS.md');
    expect(screen).toContain('✻ thought for 4.2s: The bug is in a.ts.');
    expect(screen).toContain('Fixed.');
    // One of a thing is one: "1 turn", not "1 turns".
    expect(screen).toContain('● done · 1 turn · 0 tool calls · 6s');
    expect(screen).toContain('turn 1 · 0 tool calls ·');
  });

  test('a session started with --no-instructions (or an older journal) has no instructions on its first line', () => {
    for (const settings of [{ instructions: false }, {}]) {
      const screen = screenOf(historyState(info, journal({ reasoningMs: 4200 }, settings)));
      expect(screen).toContain('◆ session h1 started · qwen3-coder on llama · sandbox host · /w');
      expect(screen).not.toContain('instructions');
    }
  });

  test('the finished history and the replay with deltas give the same seconds, recorded or derived', async () => {
    // Recorded: the loop's measure wins over the spread of the replayed deltas.
    const recorded = journal({ reasoningMs: 4200 });
    expect(reasoningItems(historyState(info, recorded)).map((item) => item.durationMs)).toEqual([4200]);
    expect(reasoningItems(await replayed(recorded)).map((item) => item.durationMs)).toEqual([4200]);
    // An older journal: one reasoning chunk and one answer chunk share the 6 s the model took.
    const older = journal({});
    expect(reasoningItems(historyState(info, older)).map((item) => item.durationMs)).toEqual([3000]);
    expect(reasoningItems(await replayed(older)).map((item) => item.durationMs)).toEqual([3000]);
    expect(screenOf(historyState(info, older))).toContain('✻ thought for 3s: The bug is in a.ts.');
  });

  test("a fork's first line names its parent and the turn it goes on from (the turns above are the parent's)", () => {
    const records = journal({ reasoningMs: 4200 }, {});
    records[0] = { ...records[0]!, forkOf: { parent: 'p0', atTurn: 1 } } as JournalRecord;
    records.push({ seq: 5, t: T0 + 7000, kind: 'fork', sessionId: 'h1', parent: 'p0', atTurn: 1, throughSeq: 3, workspace: '/w' } as JournalRecord);
    const screen = screenOf(historyState(info, records));
    expect(screen).toContain("◆ session h1 started as a fork of p0 at turn 1 (the turns up to it are p0's) · qwen3-coder on llama · sandbox host · /w");
  });

  test('a long journal keeps only the last items along the way: the same view as all items cut at the end', () => {
    const records = journal({ reasoningMs: 4200 });
    const end = records.pop()!;
    for (let turn = 2; turn <= 60; turn += 1) {
      const t = T0 + 7000 + turn * 10;
      records.push({ seq: records.length + 1, t, kind: 'user', content: `step ${turn}` } as JournalRecord);
      records.push({ seq: records.length + 1, t: t + 5, kind: 'assistant', turn, content: `Answer ${turn}.`, finish: 'stop' } as JournalRecord);
    }
    records.push({ ...end, seq: records.length + 1, t: T0 + 9000 });
    const all = historyState(info, records, 1000);
    const items = (state: ViewState) => Array.from({ length: state.finished.count }, (_, index) => itemAt(state.finished, index));
    const kept = historyState(info, records, 5);
    expect(all.finished.count).toBeGreaterThan(4 * 5 + 4);
    expect(items(kept).slice(1)).toEqual(items(all).slice(-5).map((item, key) => ({ ...item, key: key + 1 })));
    expect(items(kept)[0]).toMatchObject({ kind: 'notice', text: `… ${all.finished.count - 5} earlier items are not shown (endure sessions show h1 prints them all)` });
    expect(kept.status).toEqual(all.status);
  });

  test('a message without reasoning has no thought line', () => {
    const screen = screenOf(historyState(info, journal({ reasoning: undefined })));
    expect(screen).not.toContain('thought');
    expect(screen).toContain('Fixed.');
  });
});
