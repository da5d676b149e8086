/**
 * Fixtures for the end-to-end tests of `endure exec`: the REAL compiled CLI run
 * as a child process (node dist/src/cli/main.js, built by `npm run build`), a
 * temporary endure home, a temporary git repository as the workspace, and the
 * scripted OpenAI-compatible server as the model. Nothing else is faked: the
 * tool servers are the built ones, the journal is on disk, the HTTP is real.
 *
 *   e2eTest('fixes the tests', async ({ server, repo, endure }) => {
 *     server.respondWith(planModel([{ toolCalls: [call('read_file', { path: 'a.js' })] }, { content: 'done' }]));
 *     const run = await endure.exec(['fix it']).done;
 *     expect(run.code).toBe(0);
 *   });
 *
 * `planModel` is a model that decides its step from the request alone (the
 * number of assistant messages already in it), so a run that is stopped,
 * killed or resumed continues the same plan, with the same call ids.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from 'vitest';
import { readJournal } from '../../sessions/journal-reader.js';
import type { JournalRecord } from '../../sessions/records.js';
import { startScriptedServer, type ReceivedRequest, type ScriptedServer, type Step, type TurnStep } from './scripted-server.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The test API key: long and unique, so a grep for it finds only leaks. */
export const TEST_API_KEY = 'sk-e2e-4f9c2a7b1d6e8035-never-in-a-file';

/** The compiled CLI; throws a clear error when the build has not run. */
export function cliPath(): string {
  const path = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run 'npm run build' before the e2e tests`);
  return path;
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `endure` process. */
export interface EndureProcess {
  child: ChildProcess;
  pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Settles when the process exited and its pipes closed. */
  done: Promise<RunOutcome>;
  /** Resolves when stderr matches (rejects if the process exits first). */
  stderrMatch(pattern: RegExp): Promise<RegExpMatchArray>;
}

export interface SpawnOptions {
  /** Replaces the default home (e.g. to run a second, uninterrupted session elsewhere). */
  home?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
}

export interface Endure {
  /** `endure exec --base-url <server> --cwd <repo> --sandbox host ...args`. */
  exec(args: string[], options?: SpawnOptions & { cwd?: string; sandbox?: string | null; baseUrl?: string }): EndureProcess;
  /** `endure ...args` with the test environment and no extra flags. */
  run(args: string[], options?: SpawnOptions): EndureProcess;
}

export interface E2eFixtures {
  /** A temp directory removed after the test (holds homes, repos, outputs). */
  scratch: string;
  /** The ENDURE_HOME of the test. */
  home: string;
  /** A git repository on main with one commit. */
  repo: string;
  server: ScriptedServer;
  endure: Endure;
}

function gitInit(dir: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@example.test', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  writeFileSync(join(dir, 'README.md'), 'e2e workspace\n');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
}

/** A new git repository under `parent` with `files` committed. */
export function makeRepo(parent: string, name: string, files: Record<string, string> = {}): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  gitInit(dir);
  return dir;
}

function spawnEndure(args: string[], scratch: string, home: string, options: SpawnOptions, children: Set<ChildProcess>): EndureProcess {
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: join(scratch, 'user-home'),
    XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'),
    ENDURE_HOME: home,
    ENDURE_API_KEY: TEST_API_KEY,
    LANG: 'C.UTF-8',
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, [cliPath(), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    for (const watcher of [...watchers]) {
      const match = stderr.match(watcher.pattern);
      if (match) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(match);
      }
    }
  });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.stdin ?? '');
  const done = new Promise<RunOutcome>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      for (const watcher of watchers.splice(0)) watcher.reject(new Error(`endure exited (${code ?? signal}) before stderr matched ${watcher.pattern}; stderr:\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    stderrMatch(pattern) {
      const match = stderr.match(pattern);
      if (match) return Promise.resolve(match);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`endure already exited; stderr:\n${stderr}`));
      return new Promise((resolve, reject) => watchers.push({ pattern, resolve, reject }));
    },
  };
}

export const e2eTest = base.extend<E2eFixtures & { children: Set<ChildProcess> }>({
  scratch: async ({}, use) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'endure-e2e-')));
    mkdirSync(join(dir, 'user-home', '.config'), { recursive: true });
    try {
      await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  home: async ({ scratch }, use) => {
    await use(join(scratch, 'home'));
  },
  repo: async ({ scratch }, use) => {
    await use(makeRepo(scratch, 'repo'));
  },
  server: async ({}, use) => {
    const server = await startScriptedServer({ keepRequests: 1000 });
    try {
      await use(server);
    } finally {
      await server.close();
    }
  },
  children: async ({}, use) => {
    const children = new Set<ChildProcess>();
    try {
      await use(children);
    } finally {
      for (const child of children) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await closed;
      }
    }
  },
  endure: async ({ scratch, home, repo, server, children }, use) => {
    await use({
      exec(args, options = {}) {
        const flags = ['--base-url', options.baseUrl ?? server.url, '--cwd', options.cwd ?? repo];
        if (options.sandbox !== null) flags.push('--sandbox', options.sandbox ?? 'host');
        return spawnEndure(['exec', ...flags, ...args], scratch, options.home ?? home, options, children);
      },
      run(args, options = {}) {
        return spawnEndure(args, scratch, options.home ?? home, options, children);
      },
    });
  },
});

/** One tool call of a plan step; ids are filled in by `planModel`. */
export function call(name: string, args: Record<string, unknown>): { name: string; arguments: Record<string, unknown> } {
  return { name, arguments: args };
}

/** A plan step: a turn, or a function of the request (to look at tool results). */
export type PlanStep = TurnStep | Step | ((request: ReceivedRequest) => Step | Promise<Step>);

/** The assistant messages already in a request: the index of the plan step it asks for. */
export function turnOf(request: ReceivedRequest): number {
  return (request.body.messages as { role: string }[]).filter((message) => message.role === 'assistant').length;
}

/** The content of the request's last message that is a tool result. */
export function lastToolResult(request: ReceivedRequest): string {
  const messages = request.body.messages as { role: string; content: string }[];
  return [...messages].reverse().find((message) => message.role === 'tool')?.content ?? '';
}

/**
 * A model that follows `plan`: request with k assistant messages gets step k,
 * with call ids `call_<k>_<i>` (deterministic, so resumed and uninterrupted runs
 * send the same bytes). Past the end of the plan it answers `final`.
 */
export function planModel(plan: readonly PlanStep[], final = 'All done.'): (request: ReceivedRequest) => Promise<Step> {
  return async (request) => {
    const turn = turnOf(request);
    const entry = plan[turn];
    const step: Step = entry === undefined ? { content: final } : typeof entry === 'function' ? await entry(request) : entry;
    if ((step.type === undefined || step.type === 'turn') && step.toolCalls) {
      return { ...step, toolCalls: step.toolCalls.map((c, i) => ({ ...c, id: c.id ?? `call_${turn}_${i}` })) };
    }
    return step;
  };
}

/** The session ids under a home. */
export function sessionIds(home: string): string[] {
  const dir = join(home, 'sessions');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** A session's journal records (verified: a damaged line other than the last throws). */
export function journalOf(home: string, id: string): { records: JournalRecord[]; torn: boolean } {
  const contents = readJournal(join(home, 'sessions', id, 'journal.jsonl'));
  return { records: contents.records, torn: contents.torn !== undefined };
}

/** The journal path of a session. */
export function journalPath(home: string, id: string): string {
  return join(home, 'sessions', id, 'journal.jsonl');
}

/** The tool calls the assistant records of a journal made, in order (name and arguments). */
export function journalCalls(records: readonly JournalRecord[]): string[] {
  return records.flatMap((record) =>
    record.kind === 'assistant' ? (record.toolCalls ?? []).map((c) => `${c.id} ${c.function.name} ${c.function.arguments}`) : [],
  );
}

/** Lines of progress the exec printer writes for finished tool calls. */
export function toolLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^ {2}(✓|✗|\[\w+\]) /.test(line));
}

/** Resolves once `check` returns a value other than undefined/false (polls; rejects after `timeoutMs`). */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A plan step that hangs (the server never answers) the first time it is asked
 * for and calls `onHang`; asked again (after a resume), it plays `then`.
 */
export function hangOnce(onHang: (request: ReceivedRequest) => void, then: Step): (request: ReceivedRequest) => Step {
  let hung = false;
  return (request) => {
    if (hung) return then;
    hung = true;
    onHang(request);
    return { type: 'hang' };
  };
}

/** Every file of a workspace (not .git), path → content. */
export function workspaceFiles(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(root, path);
    if (rel === '.git' || rel.startsWith('.git/') || !entry.isFile()) continue;
    files[rel] = readFileSync(path, 'utf8');
  }
  return files;
}
