/**
 * The action's main step: turns the action's inputs (INPUT_* variables, set in
 * action.yml) into one `endure exec --output-format stream-json` run in the
 * workspace, then publishes what came of it: the step outputs, the job
 * summary, the patch (or a commit) of the files changed, and the session
 * directory for actions/upload-artifact. The session directory also keeps the
 * workspace patch, so a later job given it as `resume` continues where this
 * one stopped (e.g. after a budget) with the files as they were.
 *
 * Exits with endure's own exit code (0 done, 1 failed, 2 usage, 3 budget, 130
 * interrupted), after the outputs are written whatever happened.
 */
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resultOf } from '../src/cli/exec-result.js';
import type { ExecResult } from '../src/ui/headless/printers.js';
import { readJournal } from '../sessions/journal-reader.js';
import { annotateError, appendSummary, mask, setOutput } from './github.js';
import { renderSummary, type StreamEvent } from './summary.js';
import { applyPatch, commitAll, gitHead, gitTop, workspaceChanges, writePatch, type FileChange } from './workspace-changes.js';

/** Where a session directory keeps the workspace changes of its runs (for a resume elsewhere). */
export const WORKSPACE_PATCH = 'workspace.patch';

type OutputMode = 'patch' | 'commit' | 'none';

function input(name: string): string {
  return (process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();
}

/** The flags of `endure exec` that come straight from inputs. */
const FLAG_INPUTS = ['base-url', 'model', 'server', 'max-turns', 'max-tool-calls', 'max-tokens', 'deadline', 'sandbox', 'network', 'approval'] as const;

function execArgs(workspace: string, task: string, resumeId: string | undefined): string[] {
  const args = ['exec', '--output-format', 'stream-json', '--cwd', workspace];
  for (const name of FLAG_INPUTS) if (input(name)) args.push(`--${name}`, input(name));
  for (const file of input('mcp-config').split(/[\n,]/).map((entry) => entry.trim()).filter(Boolean)) args.push('--mcp-config', resolve(file));
  if (resumeId) args.push('--resume', resumeId);
  if (task) args.push('--', task);
  return args;
}

/**
 * Takes a session directory from an earlier run (e.g. a downloaded artifact)
 * into this run's home, and puts its workspace patch back; returns its id.
 */
function importSession(dir: string, home: string, workspace: string): string {
  const source = resolve(dir);
  let sessionDir = source;
  if (!existsSync(join(sessionDir, 'journal.jsonl'))) {
    const inner = existsSync(source) ? readdirSync(source).filter((name) => existsSync(join(source, name, 'journal.jsonl'))) : [];
    if (inner.length !== 1) throw new Error(`resume: ${dir} is not a session directory (no journal.jsonl in it); give the directory of the session-dir output, as downloaded`);
    sessionDir = join(source, inner[0]!);
  }
  const first = readJournal(join(sessionDir, 'journal.jsonl')).records[0];
  if (first?.kind !== 'session_start') throw new Error(`resume: ${sessionDir}/journal.jsonl does not start with a session`);
  const target = join(home, 'sessions', first.sessionId);
  if (resolve(target) !== sessionDir) {
    cpSync(sessionDir, target, { recursive: true });
    // A lock from another machine names a process that is not ours.
    rmSync(join(target, 'lock'), { force: true });
  }
  const patch = join(target, WORKSPACE_PATCH);
  const top = gitTop(workspace);
  if (existsSync(patch) && top && applyPatch(top, patch)) process.stderr.write(`endure: applied the earlier run's changes (${patch})\n`);
  return first.sessionId;
}

/** Runs endure, its stream-json into `eventsFile`, progress straight to the log; resolves to the exit code. */
function runEndure(args: string[], cwd: string, env: NodeJS.ProcessEnv, eventsFile: string): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const child = spawn('endure', args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const events = createWriteStream(eventsFile);
    child.stdout.pipe(events);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      events.end(() => resolveCode(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
  });
}

function readEvents(file: string): StreamEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as StreamEvent];
      } catch {
        return [];
      }
    });
}

/** The result when endure gave none (it could not start, or the inputs were wrong). */
function noResult(error: string): ExecResult {
  return resultOf(undefined, { status: 'failed', result: '', error }, Date.now());
}

async function main(): Promise<number> {
  // The job's cancel signals reach endure too; this step waits for its result.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);

  const apiKey = process.env.INPUT_API_KEY ?? '';
  if (apiKey) mask(apiKey);
  const runnerTemp = process.env.RUNNER_TEMP || resolve('.endure-action');
  mkdirSync(join(runnerTemp, 'endure'), { recursive: true });
  const outDir = mkdtempSync(join(runnerTemp, 'endure', 'run-'));
  const home = process.env.ENDURE_HOME || join(runnerTemp, 'endure', 'home');
  const workspace = resolve(input('working-directory') || '.');
  const env: NodeJS.ProcessEnv = { ...process.env, ENDURE_HOME: home };
  delete env.INPUT_API_KEY;
  if (apiKey) env.ENDURE_API_KEY = apiKey;

  const outputInput = input('output') || 'patch';
  let exitCode: number;
  let result: ExecResult;
  let events: StreamEvent[] = [];
  const task = input('task') || (input('task-file') ? readFileSync(resolve(input('task-file')), 'utf8').trim() : '');
  // Changes are measured, patched and committed over the whole repository, whatever the working directory.
  const top = gitTop(workspace);
  const base = top && gitHead(top);
  if (!['patch', 'commit', 'none'].includes(outputInput)) {
    exitCode = 2;
    result = noResult(`output must be patch, commit or none, got "${outputInput}"`);
  } else {
    try {
      const resumeId = input('resume') ? importSession(input('resume'), home, workspace) : undefined;
      const eventsFile = join(outDir, 'events.jsonl');
      exitCode = await runEndure(execArgs(workspace, task, resumeId), workspace, env, eventsFile);
      events = readEvents(eventsFile);
      const last = events.at(-1);
      result = last?.type === 'result' ? (last as unknown as ExecResult) : noResult(`endure exited with code ${exitCode} without a result`);
    } catch (error) {
      exitCode = 2;
      result = noResult((error as Error).message);
    }
  }
  if (result.error && result.status !== 'budget') annotateError(`endure: ${result.error}`);
  const output = outputInput as OutputMode;

  // What changed, as a patch (for the user, and for a later resume of this session), or a commit.
  const sessionDir = result.session_id ? join(home, 'sessions', result.session_id) : undefined;
  let files: FileChange[] = [];
  let patchPath: string | undefined;
  let commit: string | undefined;
  if (top && base) {
    const changes = workspaceChanges(top, base);
    files = changes.files;
    if (changes.patch && sessionDir && existsSync(sessionDir)) writePatch(join(sessionDir, WORKSPACE_PATCH), changes.patch);
    if (changes.patch && output !== 'none') {
      patchPath = join(outDir, 'endure.patch');
      writePatch(patchPath, changes.patch);
    }
    if (output === 'commit' && result.status === 'done' && files.length) {
      const firstLine = task.split('\n')[0]!.slice(0, 60) || 'continue the session';
      commit = commitAll(top, base, input('commit-message') || `endure: ${firstLine}`);
    }
  }

  const outputs: Record<string, string | number> = {
    status: result.status,
    result: result.result,
    'session-id': result.session_id ?? '',
    'session-dir': sessionDir && existsSync(sessionDir) ? sessionDir : '',
    turns: result.turns,
    'tool-calls': result.tool_calls,
    'patch-path': patchPath ?? '',
    commit: commit ?? '',
    'files-changed': files.length,
    'exit-code': exitCode,
    error: result.error ?? '',
  };
  for (const [name, value] of Object.entries(outputs)) setOutput(name, value);
  appendSummary(
    renderSummary({
      task,
      result,
      exitCode,
      events,
      files,
      ...(patchPath ? { patchPath } : {}),
      ...(commit ? { commit } : {}),
      ...(outputs['session-dir'] ? { sessionDir: String(outputs['session-dir']) } : {}),
    }),
  );
  return exitCode;
}

process.exitCode = await main().catch((error: unknown) => {
  annotateError(`endure action: ${(error as Error).message}`);
  return 1;
});
