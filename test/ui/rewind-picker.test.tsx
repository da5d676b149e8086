/**
 * /rewind's picker: the component draws the turns (number, first line, the files
 * each changed, shortened) and the question about outside changes; in the app,
 * arrows and j/k move, Enter rewinds through the session's commands, Esc cancels,
 * Esc twice on an empty idle prompt opens it, and the one-line refusals (agent
 * working, no checkpoint yet, a turn without one). The session behind it is a
 * stand-in here; test/ui-e2e/rewind.test.ts runs the real one.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import type { ForkDone, RewindDone, RewindPoint, SessionCommands } from '../../src/agent/controls.js';
import { App } from '../../src/ui/components/app.js';
import { RewindPicker, REWIND_ROWS } from '../../src/ui/components/rewind-picker.js';
import { shortFiles } from '../../src/ui/rewind-view.js';
import { SessionController } from '../../src/ui/session-controller.js';
import { initialViewState } from '../../src/ui/state.js';
import { ViewStore } from '../../src/ui/store.js';
import { Gate, ScriptedDriver, waitFor, type Script } from './support/scripted-driver.js';

afterEach(() => cleanup());

const ESC = '\u001B';
const UP = '\u001B[A';
const DOWN = '\u001B[B';

const POINTS: RewindPoint[] = [
  { turn: 1, firstLine: 'add the parser', files: ['src/parser.ts'], first: true, current: true },
  { turn: 2, firstLine: 'Now the tests.', files: ['test/parser.test.ts', 'test/fixtures/a.json', 'test/fixtures/b.json'], current: true },
  { turn: 4, firstLine: 'Reading the docs.', files: [], current: false },
  { turn: 5, firstLine: 'Done.', files: ['README.md'], current: true },
];

/** The session's rewind operations as a stand-in that records what was asked. */
class RewindCommands implements SessionCommands {
  readonly rewinds: { turn: number; force: boolean }[] = [];
  readonly forks: { at?: number; worktree?: boolean }[] = [];
  constructor(
    public points: RewindPoint[],
    public outside: string[] = [],
  ) {}
  rewindPoints = async (): Promise<RewindPoint[]> => this.points;
  changedOutside = async (): Promise<string[]> => this.outside;
  rewind = async (turn: number, options: { force: boolean }): Promise<RewindDone> => {
    this.rewinds.push({ turn, ...options });
    return { toTurn: turn, restored: ['src/parser.ts'], removed: ['test/parser.test.ts'], ...(options.force ? { backup: '/s/rewind-backup/1' } : {}) };
  };
  fork = async (options: { at?: number; worktree?: boolean }): Promise<ForkDone> => {
    this.forks.push(options);
    return { sessionId: 's-fork', parent: 's-test', atTurn: options.at ?? 5, workspace: options.worktree ? '/h/worktrees/s-fork' : '/w', notes: [] };
  };
  setApprovalPolicy(): void {}
  workspaceDiff = async (): Promise<string> => '';
  recentSessions = () => [];
  newSession = async (): Promise<string[]> => [];
  requestCompaction(): void {}
  compactNow = (): AsyncIterable<never> => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) });
}

function mount(commands: RewindCommands, script: Script = async function* () {}) {
  const driver = Object.assign(new ScriptedDriver(script), { commands });
  const store = new ViewStore(initialViewState(driver.info), { frameMs: 0 });
  const controller = new SessionController(driver, store, { approvalPolicy: 'auto', bell: () => {} });
  const screen = render(<App store={store} controls={controller} />);
  const frame = () => screen.lastFrame() ?? '';
  const until = (condition: () => boolean) => waitFor(condition, frame);
  const type = async (keys: string, shown: string | RegExp) => {
    screen.stdin.write(keys);
    await until(() => (typeof shown === 'string' ? frame().includes(shown) : shown.test(frame())));
  };
  return { driver, store, controller, screen, frame, until, type };
}

describe('the picker component', () => {
  test('lists each turn with its first line and its files, the selection marked; turns a rewind left are said so', () => {
    const { lastFrame } = render(<RewindPicker view={{ step: 'choose', points: POINTS, selected: 1 }} />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('Rewind to the end of which turn?');
    expect(frame).toMatch(/ {2}turn 1 {2}add the parser +src\/parser\.ts \(first checkpoint\)/);
    expect(frame).toMatch(/❯ turn 2 {2}Now the tests\. +test\/parser\.test\.ts +\+2 /);
    expect(frame).toMatch(/ {2}turn 4 {2}Reading the docs\. +no file changes · left by a rewind/);
    expect(frame).toMatch(/ {2}turn 5 {2}Done\. +README\.md/);
    expect(frame).toContain('↑/↓ or j/k move · enter rewinds · esc cancels');
    expect(frame).not.toContain(' of 4');
  });

  test('a long list scrolls with the selection and says where it is', () => {
    const many = Array.from({ length: 30 }, (_, index): RewindPoint => ({ turn: index + 1, firstLine: `step ${index + 1}`, files: [`f${index + 1}.txt`], current: true }));
    const { lastFrame } = render(<RewindPicker view={{ step: 'choose', points: many, selected: 29 }} />);
    const frame = lastFrame() ?? '';
    expect(frame.match(/turn +\d+ {2}step/g)).toHaveLength(REWIND_ROWS);
    expect(frame).toMatch(/❯ turn 30 {2}step 30/);
    expect(frame).not.toMatch(/turn +20 /);
    expect(frame).toContain('30 of 30 ·');
  });

  test('asks about files changed outside the session, naming them', () => {
    const { lastFrame } = render(<RewindPicker view={{ step: 'confirm', point: POINTS[0]!, files: ['notes.md', 'mine.txt'] }} />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('Rewinding to turn 1 would overwrite them.');
    expect(frame).toMatch(/ {2}notes\.md\s/);
    expect(frame).toMatch(/ {2}mine\.txt\s/);
    expect(frame).toContain('k or esc keep them (no rewind) · s save them under rewind-backup/ and rewind');
  });

  test('files are shortened: long paths from the left, then a count of the rest', () => {
    expect(shortFiles([], 40)).toBe('');
    expect(shortFiles(['a.ts', 'b.ts'], 40)).toBe('a.ts, b.ts');
    expect(shortFiles(['packages/core/src/very/deep/module/file.ts'], 40)).toBe('…rc/very/deep/module/file.ts');
    expect(shortFiles(['one.ts', 'two.ts', 'three.ts', 'four.ts', 'five.ts'], 24)).toBe('one.ts, two.ts +3');
  });
});

describe('/rewind in the app', () => {
  test('/rewind opens the list on the last turn; k/j and arrows move; enter rewinds and says what was restored', async () => {
    const commands = new RewindCommands(POINTS);
    const { controller, type, frame, until } = mount(commands);
    controller.submit('/rewind');
    await until(() => frame().includes('❯ turn 5'));
    await type('k', '❯ turn 4');
    await type(UP, '❯ turn 2');
    await type('j', '❯ turn 4');
    await type(DOWN, '❯ turn 5');
    await type(DOWN, '❯ turn 5');
    await type(UP, '❯ turn 4');
    await type('\r', 'rewound to the end of turn 4: 1 file restored, 1 removed; the next message continues from there');
    expect(commands.rewinds).toEqual([{ turn: 4, force: false }]);
    expect(frame()).toContain('  restored src/parser.ts');
    expect(frame()).toContain('  removed test/parser.test.ts');
    // The prompt box is back.
    expect(frame()).toContain('what should the agent do?');
  });

  test('esc twice on an empty idle prompt opens it, esc cancels it; esc with text or while working does not', async () => {
    const gate = new Gate();
    const commands = new RewindCommands(POINTS);
    const { controller, type, frame, until, screen, driver } = mount(commands, async function* (run) {
      yield { type: 'user_message', content: run.message };
      await Promise.race([gate.wait(), run.aborted()]);
    });
    await type(ESC, 'Press Esc again to rewind to an earlier turn.');
    await type('x', '› x');
    expect(frame()).not.toContain('Press Esc again');
    screen.stdin.write(ESC);
    screen.stdin.write(ESC);
    await type('\u007F', 'what should the agent do?');
    expect(frame()).not.toContain('Rewind to the end of which turn?');

    await type(ESC, 'Press Esc again');
    await type(ESC, '❯ turn 5');
    await type(ESC, 'what should the agent do?');
    expect(frame()).not.toContain('Rewind to the end of which turn?');
    expect(commands.rewinds).toEqual([]);

    // Two Escs in one read come as one key with meta set: it opens at once.
    await type(`${ESC}${ESC}`, '❯ turn 5');
    await type('q', 'what should the agent do?');

    controller.submit('work');
    await until(() => frame().includes('message the agent'));
    controller.submit('/rewind');
    await until(() => frame().includes('/rewind waits until the agent is idle (esc interrupts it)'));
    screen.stdin.write(ESC);
    await until(() => frame().includes('interrupted'));
    expect(driver.runs[0]!.signal.aborted).toBe(true);
    expect(frame()).not.toContain('Press Esc again');
    expect(frame()).not.toContain('Rewind to the end of which turn?');
  });

  test('outside changes are shown and asked about: k keeps them, s saves them and rewinds', async () => {
    const commands = new RewindCommands(POINTS, ['notes.md', 'mine.txt']);
    const { controller, type, frame, until } = mount(commands);
    controller.submit('/rewind');
    await until(() => frame().includes('❯ turn 5'));
    await type('\r', 'Rewinding to turn 5 would overwrite them.');
    expect(frame()).toContain('  notes.md');
    await type('k', 'no rewind: the files changed outside the session stay as they are');
    expect(commands.rewinds).toEqual([]);

    controller.submit('/rewind 2');
    await until(() => frame().includes('Rewinding to turn 2 would overwrite them.'));
    await type('s', 'saved the files changed outside the session under /s/rewind-backup/1');
    expect(commands.rewinds).toEqual([{ turn: 2, force: true }]);
  });

  test('one line when there is no checkpoint yet, for a turn without one, and for a bad argument', async () => {
    const commands = new RewindCommands([]);
    const { controller, frame, until } = mount(commands);
    controller.submit('/rewind');
    await until(() => frame().includes('nothing to rewind to yet: no turn has changed files'));
    commands.points = POINTS;
    controller.submit('/rewind 3');
    await until(() => frame().includes('/rewind 3: no checkpoint at turn 3; turns with one: 1-2, 4-5'));
    controller.submit('/rewind two');
    await until(() => frame().includes('/rewind takes a turn number (as the list shows them); got "two"'));
    expect(commands.rewinds).toEqual([]);
  });

  test('a failed rewind says why in one line and gives the prompt back', async () => {
    const commands = new RewindCommands(POINTS);
    commands.rewind = async () => {
      throw new Error("the session's workspace /gone no longer exists, so its files cannot be restored");
    };
    const { controller, type, frame, until } = mount(commands);
    controller.submit('/rewind');
    await until(() => frame().includes('❯ turn 5'));
    await type('\r', "/rewind failed: the session's workspace /gone no longer exists");
    expect(frame()).toContain('what should the agent do?');
  });
});

describe('/fork in the app', () => {
  test('forks at the last turn or the one given, prints the new id and how to continue it; a bad argument gets one line', async () => {
    const commands = new RewindCommands(POINTS);
    const { controller, frame, until } = mount(commands);
    controller.submit('/fork');
    await until(() => frame().includes('forked this session at turn 5: new session s-fork\n'));
    expect(frame()).toContain('continue the fork after /quit: endure resume s-fork\n  or headless: endure exec --resume s-fork "<message>"');
    controller.submit('/fork 2 --worktree');
    await until(() => frame().includes('forked this session at turn 2: new session s-fork, working in /h/worktrees/s-fork'));
    controller.submit('/fork two');
    await until(() => frame().includes('/fork takes a turn number and --worktree, both optional; got "two"'));
    expect(commands.forks).toEqual([{}, { at: 2, worktree: true }]);
    commands.fork = async () => {
      throw new Error('--at 9: session s-test has turns 1-5; give one of them');
    };
    controller.submit('/fork 9');
    await until(() => frame().includes('/fork failed: --at 9: session s-test has turns 1-5; give one of them'));
  });
});
