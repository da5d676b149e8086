/**
 * Subagents end to end: the real CLI, real tool servers and journals, and the
 * scripted model answering the parent and each child from their own scripts
 * (a child's conversation is routed by its prompt). Concurrency is proven from
 * the server's request log, never from timing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { agentScripts, meeting, overlapped } from '../support/agent-scripts.js';
import { call, e2eTest as test, journalOf, sessionIds, waitFor } from '../support/e2e-fixtures.js';
import type { JournalRecord } from '../../sessions/records.js';
import { readJournal } from '../../sessions/journal-reader.js';

const task = (description: string, prompt: string, mode?: 'read' | 'write') => call('task', { description, prompt, ...(mode ? { mode } : {}) });

function childJournal(home: string, session: string, child: string): JournalRecord[] {
  return readJournal(join(home, 'sessions', session, 'agents', child, 'journal.jsonl')).records;
}

function taskEnds(records: readonly JournalRecord[]) {
  return records.filter((record): record is Extract<JournalRecord, { kind: 'tool_end' }> => record.kind === 'tool_end' && record.name === 'task');
}

function events(stdout: string): Record<string, any>[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
}

describe('subagents (the task tool)', { timeout: 120_000 }, () => {
  test('two read children of one message run at the same time, each from its own journal, and report back', async ({ server, endure, home, repo }) => {
    writeFileSync(join(repo, 'alpha.txt'), 'ALPHA lives here\n');
    writeFileSync(join(repo, 'beta.txt'), 'BETA lives here\n');
    const both = meeting(2, 20_000);
    const model = agentScripts({
      parent: [
        { toolCalls: [task('find alpha', 'Where does ALPHA live?'), task('find beta', 'Where does BETA live?')] },
        { content: 'ALPHA is in alpha.txt and BETA in beta.txt.' },
      ],
      children: {
        'Where does ALPHA live?': [both.hold({ toolCalls: [call('read_file', { path: 'alpha.txt' })] }), { content: 'ALPHA: alpha.txt line 1' }],
        'Where does BETA live?': [both.hold({ toolCalls: [call('read_file', { path: 'beta.txt' })] }), { content: 'BETA: beta.txt line 1' }],
      },
    });
    server.respondWith(model.decide);
    const run = await endure.exec(['--output-format', 'stream-json', 'find both']).done;
    expect(run.code, run.stderr).toBe(0);

    // Both children's first requests arrived before either was answered.
    expect(overlapped(model.log, ['Where does ALPHA live?', 'Where does BETA live?'])).toBe(true);

    // Each child's answer, with its figures line, is the task's result; the parent saw each once.
    const id = sessionIds(home)[0]!;
    const { records } = journalOf(home, id);
    const ends = taskEnds(records);
    expect(ends.map((end) => end.content.split('\n')[0])).toEqual(['ALPHA: alpha.txt line 1', 'BETA: beta.txt line 1']);
    expect(ends[0]!.content).toMatch(/\[sub-agent t1-p_call_0_0 · done · 2 turns · 1 tool call · [\d,]+ tokens · \d+\.\d s\]$/);
    expect(ends.map((end) => end.agent)).toMatchObject([{ id: 't1-p_call_0_0', status: 'done', turns: 2, toolCalls: 1 }, { id: 't1-p_call_0_1', toolCalls: 1 }]);
    const last = model.requestsOf('parent').at(-1)!.raw;
    expect(last.split('ALPHA: alpha.txt line 1')).toHaveLength(2);

    // Each child is a session under agents/ with the same system prompt and tools as the parent.
    const child = childJournal(home, id, 't1-p_call_0_0');
    expect(child.map((record) => record.kind)).toEqual(['session_start', 'user', 'assistant', 'tool_start', 'tool_end', 'assistant', 'end']);
    const parentFirst = model.requestsOf('parent')[0]!.body;
    const childFirst = model.requestsOf('Where does ALPHA live?')[0]!.body;
    expect(childFirst.messages[0]).toEqual(parentFirst.messages[0]);
    expect(childFirst.tools).toEqual(parentFirst.tools);
    expect(childFirst.messages[1].content).toMatch(/You are a sub-agent[\s\S]*Where does ALPHA live\?$/);

    // stream-json: the children's events carry agent_id and parent_call_id.
    const lines = events(run.stdout);
    const childEvents = lines.filter((event) => event.agent_id !== undefined);
    expect(childEvents.length).toBeGreaterThan(0);
    expect(new Set(childEvents.map((event) => `${event.agent_id} ${event.parent_call_id}`))).toEqual(new Set(['t1-p_call_0_0 p_call_0_0', 't1-p_call_0_1 p_call_0_1']));
    expect(childEvents.find((event) => event.type === 'tool_end' && event.agent_id === 't1-p_call_0_1')).toMatchObject({ name: 'read_file', session_id: id });

    // Progress on stderr: each child's calls indented under the tasks, named by the child.
    expect(run.stderr).toMatch(/^ {4}⎿ ✓ read_file alpha\.txt \([^)]*\) \[t1-p_call_0_0\]$/m);

    // The parent's counts include the children's calls: json result and sessions list agree.
    const result = lines.at(-1)!;
    expect(result).toMatchObject({ type: 'result', status: 'done', turns: 2, tool_calls: 4 });
    const list = await endure.run(['sessions', 'list', '--json']).done;
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id, tool_calls: 4 });

    // sessions show nests each child's transcript under its task's result.
    const show = await endure.run(['sessions', 'show', id]).done;
    expect(show.stdout).toMatch(/\*\*← task\*\* \(ok[^\n]*\n\n```\nALPHA: alpha.txt line 1[\s\S]*?```\n\n> # Session t1-p_call_0_0\n[\s\S]*?> \*\*→ read_file\*\*/);
  });

  test('a write child edits a file; a read child is refused a write', async ({ server, endure, home, repo }) => {
    writeFileSync(join(repo, 'greeting.txt'), 'hello wrold\n');
    const model = agentScripts({
      parent: [
        { toolCalls: [task('fix typo', 'Fix the typo in greeting.txt', 'write')] },
        { toolCalls: [task('try writing', 'Try to write notes.txt')] },
        { content: 'Fixed.' },
      ],
      children: {
        'Fix the typo': [{ toolCalls: [call('edit_file', { path: 'greeting.txt', old_string: 'wrold', new_string: 'world' })] }, { content: 'Fixed greeting.txt line 1.' }],
        'Try to write': [{ toolCalls: [call('write_file', { path: 'notes.txt', content: 'x' })] }, { content: 'I could not write.' }],
      },
    });
    server.respondWith(model.decide);
    const run = await endure.exec(['--output-format', 'json', 'fix the greeting']).done;
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello world\n');
    expect(existsSync(join(repo, 'notes.txt'))).toBe(false);
    const id = sessionIds(home)[0]!;
    const refused = childJournal(home, id, 't2-p_call_1_0').find((record) => record.kind === 'tool_end');
    expect(refused).toMatchObject({ name: 'write_file', isError: true, outcome: 'denied', content: expect.stringMatching(/read-only/) });
    expect(taskEnds(journalOf(home, id).records).map((end) => end.content.split('\n')[0])).toEqual(['Fixed greeting.txt line 1.', 'I could not write.']);

    // The children's tokens count in the parent's, the prefilled ones too (the server caches nothing here).
    const { usage } = JSON.parse(run.stdout) as { usage: Record<string, number> };
    const served = server.requests.map((request) => request.body.messages);
    expect(served).toHaveLength(7);
    expect(usage).toMatchObject({ cached_tokens: 0, prefilled_tokens: usage.prompt_tokens });
    const show = await endure.run(['sessions', 'show', id]).done;
    expect(show.stdout).toContain(`Tokens: ${usage.prompt_tokens} in (0 cached, 0%; ${usage.prompt_tokens} prefilled by the server)`);
  });

  test('budgets are shared: --max-tool-calls 10 holds for a parent whose children would need 20', async ({ server, endure, home }) => {
    const reads = (n: number) => Array.from({ length: n }, (_, k) => ({ toolCalls: [call('read_file', { path: 'README.md', offset: k + 1 })] }));
    const model = agentScripts({
      parent: [{ toolCalls: [task('read a lot', 'Read A ten times'), task('read more', 'Read B ten times')] }, { content: 'done' }],
      children: { 'Read A ten times': reads(10), 'Read B ten times': reads(10) },
    });
    server.respondWith(model.decide);
    const run = await endure.exec(['--max-tool-calls', '10', '--output-format', 'json', 'read everything']).done;
    expect(run.code, run.stderr).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'budget', tool_calls: 10 });
    const id = sessionIds(home)[0]!;
    const ends = taskEnds(journalOf(home, id).records);
    expect(ends).toHaveLength(2);
    for (const end of ends) expect(end).toMatchObject({ isError: true, content: expect.stringMatching(/stopped at a budget: reached the tool-call budget \(10 calls\)/) });
    expect(ends.reduce((sum, end) => sum + end.agent!.toolCalls, 0)).toBe(8);
    expect(result.error).toMatch(/tool-call budget/);
  });

  test('bad task calls are results the model can act on; a crashing child returns an error and the parent goes on', async ({ server, endure, home }) => {
    const model = agentScripts({
      parent: [
        { toolCalls: [call('task', { description: 'empty', prompt: '' }), call('task', { prompt: 'look', mode: 'fast' })] },
        { toolCalls: [task('doomed', 'This child will crash')] },
        { toolCalls: [task('nested', 'Start a child of your own')] },
        { content: 'Carried on.' },
      ],
      children: {
        'This child will crash': [{ type: 'http_error', status: 400, message: 'the child request is malformed' }],
        'Start a child of your own': [{ toolCalls: [task('grandchild', 'Nope')] }, { content: 'I cannot start one.' }],
      },
    });
    server.respondWith(model.decide);
    const run = await endure.exec(['--output-format', 'json', 'try things']).done;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done', result: 'Carried on.' });
    const id = sessionIds(home)[0]!;
    const ends = taskEnds(journalOf(home, id).records);
    expect(ends.map((end) => [end.isError, end.content.split('\n')[0]])).toEqual([
      [true, expect.stringMatching(/needs "prompt"/)],
      [true, expect.stringMatching(/unknown mode "fast"/)],
      [true, expect.stringMatching(/^the sub-agent failed: .*malformed/)],
      [false, 'I cannot start one.'],
    ]);
    const nested = childJournal(home, id, 't3-p_call_2_0').find((record) => record.kind === 'tool_end');
    expect(nested).toMatchObject({ name: 'task', isError: true, content: expect.stringMatching(/cannot start sub-agents/) });
  });

  test('kill -9 while two children run: resume continues each child from its journal and the parent gets each answer once', async ({ server, endure, home }) => {
    let killed = false;
    let hung = 0;
    const hangUntilKilled = (then: { content: string }) => () => {
      if (killed) return then;
      hung += 1;
      return { type: 'hang' as const };
    };
    const model = agentScripts({
      parent: [{ toolCalls: [task('one', 'Child one: read'), task('two', 'Child two: read')] }, { content: 'Both reported.' }],
      children: {
        'Child one: read': [{ toolCalls: [call('read_file', { path: 'README.md' })] }, hangUntilKilled({ content: 'one: README says e2e workspace' })],
        'Child two: read': [{ toolCalls: [call('list_dir', { path: '.' })] }, hangUntilKilled({ content: 'two: README.md is there' })],
      },
    });
    server.respondWith(model.decide);
    const first = endure.exec(['--output-format', 'json', 'ask both']);
    await waitFor(() => hung === 2, 'both children to wait on their second answer');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    killed = true;

    const id = sessionIds(home)[0]!;
    const resumed = await endure.exec(['--output-format', 'json', '--resume', id]).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'done', result: 'Both reported.', tool_calls: 4 });

    // No child started over: each sent its first request once, and its second twice (killed, then resumed).
    for (const route of ['Child one: read', 'Child two: read']) {
      expect(model.log.filter((entry) => entry.route === route && entry.event === 'request').map((entry) => entry.turn)).toEqual([0, 1, 1]);
    }
    // Each answer reached the parent once: one result per task call, and the final request holds each once.
    const ends = taskEnds(journalOf(home, id).records);
    expect(ends.map((end) => end.content.split('\n')[0])).toEqual(['one: README says e2e workspace', 'two: README.md is there']);
    const last = model.requestsOf('parent').at(-1)!.raw;
    expect(last.split('one: README says e2e workspace')).toHaveLength(2);
    expect(last.split('two: README.md is there')).toHaveLength(2);
    expect(childJournal(home, id, 't1-p_call_0_0').filter((record) => record.kind === 'tool_start')).toHaveLength(1);
  });
});
