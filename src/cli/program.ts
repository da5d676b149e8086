/**
 * The command tree. Each command lazily imports its implementation.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from './version.js';

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('endure')
    .description('An agentic coding runtime for Qwen models')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run endure --help for usage)');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
