/**
 * The command tree. Each command's implementation is imported only when that
 * command runs, so `exec` never loads Ink and `--help` loads almost nothing.
 * Every failure ends here as one line on stderr and an exit code (cli.md).
 */
import { Command, CommanderError } from 'commander';
import { oneLine } from '../shared/errors.js';
import { exitCodeForError } from './exit-codes.js';
import { VERSION } from './version.js';

export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command('endure')
    .description('An agentic coding runtime for Qwen models: long sessions, a crash-safe journal, MCP tools in sandboxes')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(`endure: ${text.replace(/^error: /, '')}`) })
    .showHelpAfterError('(run endure --help for usage)');

  const { registerExec } = await import('./commands/exec.js');
  registerExec(program, setExitCode);
  const { registerSessions } = await import('./commands/sessions.js');
  registerSessions(program, setExitCode);
  const { registerServe } = await import('./commands/serve.js');
  registerServe(program);
  const { registerDoctor } = await import('./commands/doctor.js');
  registerDoctor(program, setExitCode);
  const { registerUi } = await import('./commands/ui.js');
  registerUi(program, setExitCode);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`endure: ${oneLine(error)}\n`);
    if (argv.includes('--debug') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeForError(error);
  }
}
