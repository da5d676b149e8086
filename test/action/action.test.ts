/**
 * The GitHub Action (action.yml) run step by step as a runner would run it
 * (run-action.ts), against the scripted server, with real bubblewrap and a
 * real install of the packed endure:
 * - job 1 stops on its tool-call budget: outputs (status budget, exit code 3,
 *   counts, session id and directory, patch path), the job summary (answer,
 *   figures, files changed, a link-free table of tool calls), the patch, and the
 *   API key masked and never written to the session;
 * - job 2, on a fresh checkout and a fresh runner directory, resumes from job 1's
 *   session directory (as an artifact download gives it): the earlier changes
 *   come back, the session goes on to done, and `output: commit` commits both files.
 */
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, cliPath, e2eTest as test, makeRepo, planModel, repoRoot } from '../support/e2e-fixtures.js';
import { readAction, runActionJob } from './run-action.js';

const API_KEY = 'sk-action-7d1e93b0c4a2-only-in-memory';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('the GitHub Action', () => {
  test('declares the inputs and outputs, composite with no Docker, logic in script files', () => {
    const action = readAction();
    expect(action.runs.using).toBe('composite');
    for (const name of ['task', 'task-file', 'base-url', 'model', 'api-key', 'max-tool-calls', 'max-tokens', 'deadline', 'sandbox', 'network', 'approval', 'mcp-config', 'resume', 'output'])
      expect(action.inputs).toHaveProperty([name]);
    for (const name of ['status', 'result', 'session-id', 'session-dir', 'turns', 'tool-calls', 'patch-path', 'exit-code']) expect(action.outputs).toHaveProperty([name]);
    expect(action.runs.steps.find((step) => step.uses)).toMatchObject({ uses: expect.stringMatching(/^actions\/setup-node@/), with: { 'node-version': '22' } });
    for (const step of action.runs.steps.filter((step) => step.run)) expect(step.run!.trim().split('\n')).toHaveLength(1);
    // The key reaches the run step as an environment variable only.
    const run = action.runs.steps.find((step) => step.id === 'run')!;
    expect(run.run).not.toContain('api-key');
    expect(run.env).toMatchObject({ INPUT_API_KEY: '${{ inputs.api-key }}' });
  });

  test("the README's workflows use only the action's inputs and outputs", () => {
    const action = readAction();
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(workflows.length).toBeGreaterThanOrEqual(3);
    for (const text of workflows) {
      const workflow = parse(text) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
      const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.filter((step) => step.uses?.startsWith('OWNER/endure@')));
      expect(uses.length).toBeGreaterThan(0);
      for (const step of uses) for (const name of Object.keys(step.with ?? {})) expect(action.inputs, name).toHaveProperty([name]);
      for (const [, name] of text.matchAll(/steps\.endure\.outputs\.([\w-]+)/g)) expect(action.outputs, name).toHaveProperty([name!]);
    }
  });

  test('a job stopped by its budget, then a second job that resumes its session artifact and commits', { timeout: 600_000 }, async ({ server, scratch, repo }) => {
    const baseEnv = {
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: join(scratch, 'user-home'),
      XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'),
      LANG: 'C.UTF-8',
      // The runner's npm cache (actions/setup-node's `cache: npm` gives one): the install needs no network.
      npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
    };
    server.respondWith(
      planModel(
        [
          { toolCalls: [call('write_file', { path: 'notes.txt', content: 'first\n' }), call('run_shell', { command: 'echo see https://example.com/x @someone | cat' })] },
          { toolCalls: [call('write_file', { path: 'more.txt', content: 'second\n' })] },
        ],
        'Both files are written.',
      ),
    );

    // Job 1: two tool calls allowed, the first turn uses both: the budget stops it.
    const job1 = await runActionJob({
      workspace: repo,
      runnerTemp: join(scratch, 'runner-1'),
      env: baseEnv,
      inputs: { task: 'Write the notes, then more.', 'base-url': server.url, 'api-key': API_KEY, 'max-tool-calls': '2', output: 'patch' },
    });
    const [setupNode, sandbox, install, run] = job1.steps;
    expect(setupNode!.skipped).toMatch(/^uses actions\/setup-node/);
    expect(sandbox!.code, sandbox!.stderr).toBe(0);
    expect(install!.code, install!.stderr).toBe(0);
    expect(install!.stdout).toMatch(/^endure \d+\.\d+\.\d+ installed in /m);
    expect(job1.path).toEqual([join(scratch, 'runner-1', 'endure-cli', 'bin')]);
    expect(run!.code, run!.stderr).toBe(3);
    expect(job1.code).toBe(3);

    const out1 = job1.outputs;
    expect(out1).toMatchObject({ status: 'budget', 'exit-code': '3', turns: '1', 'tool-calls': '2', 'files-changed': '1', commit: '' });
    expect(out1['session-id']).toMatch(/^\d{8}-/);
    expect(out1['session-dir']).toBe(join(scratch, 'runner-1', 'endure', 'home', 'sessions', out1['session-id']!));
    expect(out1.error).toMatch(/tool-call budget/);
    const patch1 = readFileSync(out1['patch-path']!, 'utf8');
    expect(patch1).toContain('+++ b/notes.txt');
    expect(patch1).toContain('+first');

    // The key: sent to the server, masked in the log, in no file of the session.
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(run!.stdout.split('\n')[0]).toBe(`::add-mask::${API_KEY}`);
    for (const file of filesUnder(join(scratch, 'runner-1'))) expect(readFileSync(file, 'utf8'), file).not.toContain(API_KEY);

    const summary1 = job1.summary;
    expect(summary1).toMatch(/^## endure: budget$/m);
    expect(summary1).toMatch(/^> Write the notes, then more\.$/m);
    expect(summary1).toMatch(/^\| tool calls \| 2 \|$/m);
    expect(summary1).toMatch(/^### Files changed \(1\)\n\n- `notes\.txt` \+1 −0$/m);
    const table = summary1.slice(summary1.indexOf('### Tool calls (2)'));
    expect(table).toMatch(/^\| 1 \| write_file \| `[^`]*notes\.txt[^`]*` \| `✓` \| .+ \|$/m);
    expect(table).toMatch(/^\| 2 \| run_shell \| `echo see https:\/\/example\.com\/x @someone \\\| cat` \| `✓` \| .+ \|$/m);
    // Link-free: outside code spans, no URL, no markdown link, no @mention.
    expect(table.replace(/`[^`]*`/g, '')).not.toMatch(/https?:|\]\(|@\w/);

    // Job 2: a fresh checkout at the same path, a fresh runner, the session as an artifact download gives it.
    const artifact = join(scratch, 'artifact');
    cpSync(out1['session-dir']!, artifact, { recursive: true });
    execFileSync('git', ['clean', '-fdxq'], { cwd: repo });
    execFileSync('git', ['checkout', '-q', '--', '.'], { cwd: repo });
    const job2 = await runActionJob({
      workspace: repo,
      runnerTemp: join(scratch, 'runner-2'),
      // The install was proven by job 1; this job reuses it (the same steps would rebuild the same tarball).
      env: { ...baseEnv, PATH: `${job1.path[0]}:${baseEnv.PATH}` },
      skip: ['Install endure'],
      inputs: { resume: artifact, 'base-url': server.url, 'api-key': API_KEY, output: 'commit', 'commit-message': 'Notes from endure' },
    });
    const run2 = job2.steps.at(-1)!;
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stderr).toContain("applied the earlier run's changes");
    const out2 = job2.outputs;
    expect(out2).toMatchObject({
      status: 'done',
      result: 'Both files are written.',
      'session-id': out1['session-id'],
      'exit-code': '0',
      turns: '3',
      'tool-calls': '3',
      'files-changed': '2',
      error: '',
    });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    expect(out2.commit).toBe(git('rev-parse', 'HEAD'));
    expect(git('log', '-1', '--format=%s')).toBe('Notes from endure');
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['more.txt', 'notes.txt']);
    expect(git('status', '--porcelain')).toBe('');
    expect(readFileSync(out2['patch-path']!, 'utf8')).toMatch(/\+\+\+ b\/more\.txt[\s\S]*\+second/);
    // The resumed session ran the first turn's calls once: notes.txt was not written again, only more.txt.
    const calls = server.requests.at(-1)!.body.messages.filter((message: { role: string }) => message.role === 'tool');
    expect(calls).toHaveLength(3);
    expect(job2.summary).toMatch(/^## endure: done$/m);
    expect(job2.summary).toMatch(/^Both files are written\.$/m);
    expect(job2.summary).toMatch(/^\| commit \| `[0-9a-f]{40}` \|$/m);
    expect(job2.summary).toMatch(/^\| 1 \| write_file \| `[^`]*more\.txt[^`]*` \| `✓` \|/m);
  });

  test('working-directory: a subdirectory of the repository; patch, resume and commit name paths from the repository top', { timeout: 300_000 }, async ({ server, scratch }) => {
    const repo = makeRepo(scratch, 'mono', { 'packages/app/src/index.js': 'export const x = 1;\n', 'packages/lib/README.md': 'lib\n' });
    // The install step is proven by the test above; here the bin it would put on PATH runs this build.
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'endure'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath()}" "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: join(scratch, 'user-home'), XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'), LANG: 'C.UTF-8' };
    server.respondWith(
      planModel(
        [{ toolCalls: [call('write_file', { path: 'notes.txt', content: 'app notes\n' })] }, { toolCalls: [call('write_file', { path: 'src/more.js', content: 'export const y = 2;\n' })] }],
        'Notes and more.',
      ),
    );
    const common = { 'base-url': server.url, 'working-directory': 'packages/app' };

    // Job 1 stops on its budget after the first file, written in the working directory.
    const job1 = await runActionJob({ workspace: repo, runnerTemp: join(scratch, 'runner-1'), env, skip: ['Install endure'], inputs: { ...common, task: 'Write the notes, then more.', 'max-tool-calls': '1' } });
    expect(job1.steps.at(-1)!.code, job1.steps.at(-1)!.stderr).toBe(3);
    expect(job1.outputs).toMatchObject({ status: 'budget', 'files-changed': '1' });
    expect(readFileSync(join(repo, 'packages', 'app', 'notes.txt'), 'utf8')).toBe('app notes\n');
    expect(readFileSync(job1.outputs['patch-path']!, 'utf8')).toContain('+++ b/packages/app/notes.txt');
    expect(job1.summary).toMatch(/^- `packages\/app\/notes\.txt` \+1 −0$/m);
    const start = readFileSync(join(job1.outputs['session-dir']!, 'journal.jsonl'), 'utf8').split('\n')[0]!;
    expect(JSON.parse(start)).toMatchObject({ kind: 'session_start', cwd: join(repo, 'packages', 'app') });

    // Job 2: a fresh checkout, the session as an artifact: the patch goes back at the top, the run commits both files.
    const artifact = join(scratch, 'artifact');
    cpSync(job1.outputs['session-dir']!, artifact, { recursive: true });
    execFileSync('git', ['clean', '-fdxq'], { cwd: repo });
    const job2 = await runActionJob({ workspace: repo, runnerTemp: join(scratch, 'runner-2'), env, skip: ['Install endure'], inputs: { ...common, resume: artifact, output: 'commit' } });
    const run2 = job2.steps.at(-1)!;
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stderr).toContain("applied the earlier run's changes");
    expect(job2.outputs).toMatchObject({ status: 'done', result: 'Notes and more.', 'files-changed': '2' });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    expect(job2.outputs.commit).toBe(git('rev-parse', 'HEAD'));
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['packages/app/notes.txt', 'packages/app/src/more.js']);
    expect(git('status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'notes.txt'))).toBe(false);
  });
});
