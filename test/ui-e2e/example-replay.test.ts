/**
 * The example session shipped in the repository (examples/sessions/fix-failing-test,
 * recorded by record-example.ts with the real `endure exec`): it is a sound journal
 * of the job it claims, it holds nothing of the machine that recorded it beyond the
 * neutral workspace path, and `endure replay --speed 0` plays it to the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import { e2eTest as test, repoRoot, TEST_API_KEY } from '../support/e2e-fixtures.js';
import { EXAMPLE_ANSWER, EXAMPLE_TASK } from './example-session.js';

const EXAMPLE = join(repoRoot, 'examples', 'sessions', 'fix-failing-test', 'journal.jsonl');

describe('the example session', { timeout: 60_000 }, () => {
  test('is a whole journal of a test fixed: tests fail, a file is read and edited, tests pass', () => {
    const { records, torn } = readJournal(EXAMPLE);
    expect(torn).toBeUndefined();
    expect(records[0]).toMatchObject({ kind: 'session_start', task: EXAMPLE_TASK, cwd: '/tmp/demo', workspace: '/tmp/demo' });
    const ends = records.flatMap((record) => (record.kind === 'tool_end' ? [`${record.name} ${record.content.split('\n')[0]}`] : []));
    expect(ends).toEqual([
      'run_shell exit code: 1',
      expect.stringMatching(/^read_file 1\t/),
      expect.stringMatching(/^edit_file edited src\/slugify\.js/),
      'run_shell exit code: 0',
      expect.stringMatching(/^git_diff diff --git/),
    ]);
    expect(records.filter((record) => record.kind === 'assistant' && (record.reasoning ?? '') !== '')).toHaveLength(6);
    expect(records.at(-1)).toMatchObject({ kind: 'end', status: 'done', result: EXAMPLE_ANSWER });

    const text = readFileSync(EXAMPLE, 'utf8');
    expect(text).not.toMatch(/\/(root|home|Users)\/|endure-e2e-|endure-example-/);
    expect(text).not.toMatch(/sk-[A-Za-z0-9]|Bearer |api[_-]?key/i);
    expect(text).not.toContain(TEST_API_KEY);
  });

  test('endure replay --speed 0 plays it to the final answer with a piped stdin', async ({ endure }) => {
    const run = await endure.run(['replay', EXAMPLE, '--speed', '0']).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const screen = run.stdout;
    expect(screen).toContain(`› ${EXAMPLE_TASK}`);
    expect(screen).toMatch(/✓ run_shell node --test · [\d.]+m?s\n {2}exit code: 1/);
    expect(screen).toContain('✓ edit_file src/slugify.js');
    expect(screen).toContain("-  return title.toLowerCase().replace(' ', '-');");
    expect(screen).toContain("+    .replace(/\\s+/g, '-');");
    expect(screen).toMatch(/✓ run_shell node --test · [\d.]+m?s\n {2}exit code: 0/);
    expect(screen).toContain('Fixed `slugify` in src/slugify.js; all 3 tests pass now.');
    expect(screen).toMatch(/● done · 6 turns · 5 tool calls/);
    expect(screen).toMatch(/turn 6 · 5 tool calls · [\d.]+k in \/ \d+ out · cached \d+%(?: · prefilled [^·]+)? · context \d+% of 32\.8k/);
    expect(screen).toMatch(/qwen3\.6-27b · llama · sandbox host · session \d{8}-\d{6}-/);
  });
});
