/**
 * `endure serve fs|shell|git --root DIR`: one built-in tool server alone over
 * stdio, for any MCP client. It runs the same entry as
 * `node dist/tools/<name>/server.js`.
 */
import { Command, Argument } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run a built-in tool server over stdio for any MCP client')
    .addArgument(new Argument('<server>', 'which server').choices(['fs', 'shell', 'git']))
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]', '--root DIR and the server\'s own flags')
    .action(async (server: string, args: string[]) => {
      process.argv = [process.argv[0]!, `endure-serve-${server}`, ...args];
      await import(`../../../tools/${server}/server.js`);
    });
}
