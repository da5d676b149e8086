/**
 * The turns /rewind lists, from a journal and a real checkpoint store (git):
 * only turns with a checkpoint; each turn's files are the difference from the
 * tree before it in its line (one git process for all of them); the first
 * checkpoint names what the edit tools wrote; a text-only turn changed nothing;
 * turns a rewind left are listed, not current; the first line falls back to the
 * user message that started the turn.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CheckpointStore } from '../../sessions/checkpoints.js';
import type { JournalRecord, RecordBody } from '../../sessions/records.js';
import { rewindPoints } from '../../src/cli/rewind-points.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function journal(bodies: RecordBody[]): JournalRecord[] {
  return bodies.map((body, index) => ({ seq: index + 1, t: 1000 + index, ...body }) as JournalRecord);
}

const start: RecordBody = {
  kind: 'session_start', sessionId: 's', version: '0', task: 'task', cwd: '/w', workspace: '/w',
  endpoint: { baseURL: 'http://x/v1', server: 'llama', model: 'm' }, sandbox: 'host', thinking: false, systemPrompt: 'sys', tools: [], settings: {},
};

/** A turn that called `tool` with `args` (its first line: `content`), and its checkpoint when `tree` is given. */
function turn(n: number, content: string, tool: string, args: Record<string, unknown>, tree?: string): RecordBody[] {
  return [
    { kind: 'assistant', turn: n, content, toolCalls: [{ id: `c${n}`, type: 'function', function: { name: tool, arguments: JSON.stringify(args) } }], finish: 'tool_calls' },
    { kind: 'tool_start', callId: `c${n}`, name: tool, replayable: false },
    { kind: 'tool_end', callId: `c${n}`, name: tool, isError: false, content: 'ok', durationMs: 1 },
    ...(tree ? [{ kind: 'checkpoint', ref: tree, turn: n } as RecordBody] : []),
  ];
}

describe('rewind points', () => {
  test('turns with a checkpoint, the files each changed, the line they are on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'endure-rewind-points-'));
    dirs.push(root);
    const workspace = join(root, 'work');
    mkdirSync(join(workspace, 'src'), { recursive: true });
    writeFileSync(join(workspace, 'README.md'), '# x\n');
    const store = new CheckpointStore(join(root, 'session'), workspace);
    writeFileSync(join(workspace, 'src', 'a.ts'), 'a\n');
    const t1 = await store.snapshot();
    writeFileSync(join(workspace, 'src', 'a.ts'), 'a2\n');
    writeFileSync(join(workspace, 'b.ts'), 'b\n');
    rmSync(join(workspace, 'README.md'));
    const t2 = await store.snapshot();
    writeFileSync(join(workspace, 'c.ts'), 'c\n');
    const t4 = await store.snapshot();

    const records = journal([
      start,
      { kind: 'user', content: 'build it\nwith care' },
      // Turn 1 has no checkpoint of its own and comes before any: not listed.
      ...turn(1, '', 'read_file', { path: 'README.md' }),
      ...turn(2, '', 'write_file', { path: 'src/a.ts', content: 'a\n' }, t1),
      ...turn(3, 'Second pass.\nMore.', 'run_shell', { command: 'edit things' }, t2),
      { kind: 'assistant', turn: 4, content: 'All done.', finish: 'stop' },
      { kind: 'rewind', toTurn: 2, throughSeq: 9, tree: t1 },
      { kind: 'user', content: 'again' },
      ...turn(5, '', 'write_file', { path: 'c.ts', content: 'c\n' }, t4),
    ]);
    const points = await rewindPoints(records, store);
    expect(points).toEqual([
      { turn: 2, firstLine: 'build it', files: ['src/a.ts'], first: true, current: true },
      { turn: 3, firstLine: 'Second pass.', files: ['README.md', 'b.ts', 'src/a.ts'], current: false },
      { turn: 4, firstLine: 'All done.', files: [], current: false },
      { turn: 5, firstLine: 'again', files: ['README.md', 'b.ts', 'c.ts', 'src/a.ts'], current: true },
    ]);
  });

  test('changesEach answers every pair from one git process, in the order asked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'endure-rewind-points-'));
    dirs.push(root);
    const workspace = join(root, 'work');
    mkdirSync(join(workspace, 'dir with space'), { recursive: true });
    const store = new CheckpointStore(join(root, 'session'), workspace);
    writeFileSync(join(workspace, 'dir with space', 'new\nline.txt'), '1\n');
    const a = await store.snapshot();
    writeFileSync(join(workspace, 'x.txt'), 'x\n');
    const b = await store.snapshot();
    const pairs: [string, string][] = [[a, b], [b, a], [a, a], [a, b]];
    const each = await store.changesEach(pairs);
    expect(each).toEqual([[{ status: 'A', path: 'x.txt' }], [{ status: 'D', path: 'x.txt' }], [], [{ status: 'A', path: 'x.txt' }]]);
    for (const [index, [from, to]] of pairs.entries()) expect(each[index]).toEqual(await store.changes(from, to));
    expect(await store.changesEach([])).toEqual([]);
  });
});
