/**
 * `endure exec`: headless. Never waits for input; progress on stderr, the
 * result on stdout in the chosen format, and an exit code scripts can act on.
 * SIGINT or SIGTERM aborts the model request and running tools through one
 * AbortSignal, writes the end record and exits 130; the session stays resumable.
 */
import { getEventListeners } from 'node:events';
import { Command, Option } from 'commander';
import type { AgentEvent } from '../../agent/events.js';
import { runLoop, type LoopResult } from '../../agent/loop.js';
import { foldRecords } from '../../agent/fold.js';
import { ConfigError, EndureError, oneLine } from '../../shared/errors.js';
import { createPrinter, type ExecResult, type OutputFormat, type Printer } from '../../ui/headless/printers.js';
import { countOf } from '../../ui/format.js';
import type { Session } from '../../../sessions/session.js';
import { failedResult, resultOf, type SessionSoFar } from '../exec-result.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { addRunOptions } from '../run-options.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { mentionBudget } from '../../context/mentions.js';
import { expandTask, withMentions } from '../task-text.js';
import { resolveSettings, type RunFlags } from '../settings.js';

interface ExecFlags extends RunFlags {
  resume?: string;
  outputFormat: OutputFormat;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * Aborts on the first SIGINT/SIGTERM (the run ends at the next safe point, its
 * end record written); a second one exits at once, after `onForce` (which
 * prints the result object a script is waiting for).
 */
function abortOnSignals(controller: AbortController, onForce: () => void): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) {
      onForce();
      process.exit(EXIT.interrupted);
    }
    controller.abort();
    process.stderr.write('endure: interrupted; stopping at the next safe point (interrupt again to stop at once)\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Runs the loop to its end (a done session resumed without text ends at once: the loop sends nothing). */
async function runToEnd(runtime: Runtime, signal: AbortSignal, task: string, onEvent: (event: AgentEvent) => void): Promise<LoopResult> {
  // A new user message (the task, or text given on resume) is a safe point for a changed tool list.
  if (task) await runtime.tools.applyPendingToolChanges();
  const loop = runLoop(runtime.loopDeps(signal), task || undefined);
  for (let next = await loop.next(); ; next = await loop.next()) {
    if (next.done) return next.value;
    onEvent(next.value);
  }
}

export async function runExec(words: string[], flags: ExecFlags): Promise<number> {
  const startedAt = Date.now();
  const printer = createPrinter(flags.outputFormat, { stdout: process.stdout, stderr: process.stderr });
  const run: ExecRun = { startedAt, printer, printed: false };
  try {
    return await execute(words, flags, run);
  } catch (thrown) {
    const error = withResumeHint(thrown, run.session);
    // Scripts reading stdout get their one object whatever stopped the run (cli.md).
    if (!run.printed && flags.outputFormat !== 'text') {
      printer.finish(failedResult(error, sessionSoFar(run), startedAt, run.runtime?.state.lastAnswer));
    }
    throw error;
  }
}

/**
 * A failure endure has no name for (a raw system error, a bug) says what to do too:
 * the session it stopped is kept and resumable. Typed failures already say what to do.
 */
function withResumeHint(error: unknown, session: Session | undefined): unknown {
  if (session === undefined || error instanceof EndureError) return error;
  return new EndureError('unexpected', `${oneLine(error)} (unexpected; the session is kept: endure exec --resume ${session.id} continues it once the cause is fixed)`, { cause: error });
}

/** What a run has reached so far: what a failure's result object can name. */
interface ExecRun {
  startedAt: number;
  printer: Printer;
  session?: Session;
  runtime?: Runtime;
  printed: boolean;
}

function sessionSoFar(run: ExecRun): SessionSoFar | undefined {
  return run.session && { id: run.session.id, state: run.runtime?.state ?? foldRecords(run.session.history()) };
}

async function execute(words: string[], flags: ExecFlags, run: ExecRun): Promise<number> {
  const stderr = (line: string) => process.stderr.write(`endure: ${line}\n`);
  const settings = resolveSettings(flags, 'exec');
  for (const warning of settings.warnings) stderr(`warning: ${warning}`);
  const typed = words.join(' ').trim() || (await readStdin());
  // Custom commands and mentions are checked before a session opens (a bad one exits 2 and starts nothing);
  // the attachments are sized to the context window once it is known.
  const expanded = expandTask(typed, settings.cwd, process.env);
  const attached = withMentions(expanded, settings.cwd);
  if (!typed && !flags.resume)
    throw new ConfigError('no_task', 'no task given: pass it as an argument (endure exec "fix the failing tests") or on stdin');

  const controller = new AbortController();
  const releaseSignals = abortOnSignals(controller, () => {
    if (run.printed || flags.outputFormat === 'text') return;
    run.printed = true;
    run.printer.finish(resultOf(sessionSoFar(run), { status: 'interrupted', result: run.runtime?.state.lastAnswer ?? '', error: 'interrupted twice: stopped at once' }, run.startedAt));
  });
  try {
    const runtime = await openRuntime({
      settings,
      ...(flags.resume ? { resume: flags.resume } : {}),
      // An expanded task is recorded by its first message, as the UI's are.
      task: attached === typed ? typed : '',
      warn: (message) => stderr(`warning: ${message}`),
      info: stderr,
      onSession: (session) => (run.session = session),
    });
    run.runtime = runtime;
    let result: ExecResult;
    let outcome: LoopResult;
    try {
      const task = attached === expanded ? expanded : withMentions(expanded, settings.cwd, mentionBudget(runtime.contextWindow));
      // A session opened in the UI and left before its first message has nothing to continue from.
      if (!task && !runtime.state.messages.some((message) => message.role === 'user'))
        throw new ConfigError('no_task', `session ${runtime.session.id} has no message yet, so there is nothing to continue: give one (endure exec --resume ${runtime.session.id} "<task>")`);
      outcome = await runToEnd(runtime, controller.signal, task, (event) => run.printer.event(event));
      if (runtime.worktree && outcome.status !== 'interrupted') {
        const finished = await runtime.worktree.finish(settings.patchFile ? 'patch' : 'branch', settings.patchFile);
        stderr(
          finished.mode === 'patch'
            ? `wrote ${finished.patchFile} (${countOf(finished.commits, 'commit')} on ${finished.branch})`
            : `the work is on branch ${finished.branch} (${countOf(finished.commits, 'commit')}); your checkout was not touched`,
        );
      }
      result = resultOf(
        { id: runtime.session.id, state: runtime.state },
        { status: outcome.status, result: outcome.result, ...(outcome.status === 'done' ? {} : { error: outcome.reason ?? outcome.status }) },
        run.startedAt,
      );
      if (process.env.ENDURE_BENCH_STATS) {
        const memory = process.memoryUsage();
        const abortListeners = getEventListeners(controller.signal, 'abort').length;
        const cpu = process.cpuUsage();
        process.stderr.write(`endure-bench-stats ${JSON.stringify({ heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, arrayBuffers: memory.arrayBuffers, rss: memory.rss, maxRss: process.resourceUsage().maxRSS * 1024, abortListeners, cpuUs: cpu.user + cpu.system })}\n`);
      }
    } finally {
      await runtime.close();
    }
    // Printed once the journal is closed: a failure to close it is the run's result instead.
    run.printed = true;
    run.printer.finish(result);
    return exitCodeFor(outcome.status);
  } finally {
    releaseSignals();
  }
}

export function registerExec(program: Command, setExitCode: (code: number) => void): void {
  const command = new Command('exec')
    .copyInheritedSettings(program)
    .description('run a task headless (task as arguments or on stdin)')
    .argument('[task...]', 'the task; with --resume, more instructions')
    .option('--resume <id|last>', 'continue a session from its journal')
    .addOption(new Option('--output-format <format>', 'stdout format').choices(['text', 'json', 'stream-json']).default('text'));
  addRunOptions(command).action(async (words: string[], flags: ExecFlags) => {
    setExitCode(await runExec(words, flags));
  });
  program.addCommand(command);
}

