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
    outputError: (text, write) => write(`endure: ${text.replace(/^error: /, '').trim()}; see ${path} --help\n`),
  });
  for (const sub of command.commands) oneLineErrors(sub, `${path} ${sub.name()}`);
}

export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command('endure')
    .description('An agentic coding runtime for Qwen models: long sessions, a crash-safe journal, MCP tools in sandboxes')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .enablePositionalOptions();

  const { registerExec } = await import('./commands/exec.js');
  registerExec(program, setExitCode);
  const { registerSessions } = await import('./commands/sessions.js');
  registerSessions(program, setExitCode);
  const { registerServe } = await import('./commands/serve.js');
  registerServe(program);
  const { registerMcpCommands } = await import('./commands/mcp.js');
  registerMcpCommands(program);
  const { registerDoctor } = await import('./commands/doctor.js');
  registerDoctor(program, setExitCode);
  const { registerUi } = await import('./commands/ui.js');
  registerUi(program, setExitCode);

  oneLineErrors(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander's own parse errors are usage errors (2); commands raise theirs with an exit code.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : error.code.startsWith('commander.') ? 2 : error.exitCode;
    process.stderr.write(`endure: ${oneLine(error)}\n`);
    if (argv.includes('--debug') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeForError(error);
  }
}
