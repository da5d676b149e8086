/**
 * The command tree. Each command's implementation is imported only when that
 * command runs, so `exec` never loads Ink and `--help` loads almost nothing.
 * Every failure ends here as one line on stderr and an exit code (cli.md).
 */
import { Command, CommanderError } from 'commander';
import { oneLine } from '../shared/errors.js';
import { exitCodeForError } from './exit-codes.js';
import { VERSION } from './version.js';

/** Usage errors as one line on stderr (cli.md), on every command. */
function oneLineErrors(command: Command, path = 'endure'): void {
  command.configureOutput({
    outputError: (text, write) => write(`endure: ${text.replace(/^error: /, '').trim().replace(/\.$/, '')}; see ${path} --help\n`),
  });
  command.exitOverride();
  for (const sub of command.commands) oneLineErrors(sub, `${path} ${sub.name()}`);
}

/** An `exec` whose command line did not parse still ends with its result object when json was asked for. */
async function printExecFailure(execArgs: string[], error: unknown): Promise<void> {
  const { objectFormatIn, failedResult } = await import('./exec-result.js');
  const format = objectFormatIn(execArgs);
  if (!format) return;
  const { createPrinter } = await import('../ui/headless/printers.js');
  createPrinter(format, { stdout: process.stdout, stderr: process.stderr }).finish(failedResult(error, undefined, Date.now()));
}

/**
 * A reader that stops early (`endure sessions show last | head`) closes the pipe:
 * the rest of the output is dropped without a stack trace, and a running session goes on.
 */
function dropOutputToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export async function runCli(argv: string[]): Promise<number> {
  dropOutputToClosedPipes();
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command('endure')
    .description('An agentic coding runtime for Qwen models: long sessions, a crash-safe journal, MCP tools in sandboxes')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .enablePositionalOptions();

  // Only the command that runs is loaded (help and the UI's bare `endure [task]` load all).
  const registrations: Record<string, () => Promise<void>> = {
    exec: async () => (await import('./commands/exec.js')).registerExec(program, setExitCode),
    sessions: async () => (await import('./commands/sessions.js')).registerSessions(program, setExitCode),
    serve: async () => (await import('./commands/serve.js')).registerServe(program),
    mcp: async () => (await import('./commands/mcp.js')).registerMcpCommands(program),
    doctor: async () => (await import('./commands/doctor.js')).registerDoctor(program, setExitCode),
    ui: async () => (await import('./commands/ui.js')).registerUi(program, setExitCode),
  };
  const named = registrations[argv[0] ?? ''];
  if (named && argv[0] !== 'ui') await named();
  else for (const register of Object.values(registrations)) await register();

  oneLineErrors(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander's own parse errors are usage errors (2); commands raise theirs with an exit code.
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const code = error.code.startsWith('commander.') ? 2 : error.exitCode;
      if (argv[0] === 'exec') await printExecFailure(argv.slice(1), error);
      return code;
    }
    process.stderr.write(`endure: ${oneLine(error)}\n`);
    // Where it happened: the original error's stack when a hint was wrapped around it.
    const origin = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    if (argv.includes('--debug') && origin instanceof Error && origin.stack) process.stderr.write(`${origin.stack}\n`);
    return exitCodeForError(error);
  }
}
