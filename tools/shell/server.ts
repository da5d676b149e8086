#!/usr/bin/env node
/**
 * Stdio entry of the shell tool server, usable by any MCP client:
 *
 *   node dist/tools/shell/server.js --root DIR [--pass-env NAME]...
 *
 * SIGHUP, SIGINT and SIGTERM end the process through `exit`, whose hook kills
 * every command and background job still running.
 */
import { runStdioServer } from '../common/serve-stdio.js';
import { createShellServer } from './shell-server.js';

const EXIT_CODE_BY_SIGNAL = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
for (const [signal, code] of Object.entries(EXIT_CODE_BY_SIGNAL)) process.once(signal, () => process.exit(code));

await runStdioServer({
  name: 'shell',
  flags: { 'pass-env': { type: 'string', multiple: true } },
  create: ({ root, flags }) => {
    const passEnv = [flags['pass-env'] as unknown].flat().filter((name): name is string => typeof name === 'string');
    return createShellServer({ root, passEnv });
  },
});
