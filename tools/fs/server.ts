#!/usr/bin/env node
/**
 * The fs tool server alone over stdio, for any MCP client:
 *   node dist/tools/fs/server.js --root DIR [--grep auto|ripgrep|js]
 */
import { runStdioServer, UsageError } from '../common/serve-stdio.js';
import type { GrepEngine } from './fs-context.js';
import { createFsServer } from './fs-server.js';

const GREP_ENGINES: readonly GrepEngine[] = ['auto', 'ripgrep', 'js'];

await runStdioServer({
  name: 'fs',
  flags: { grep: { type: 'string' } },
  create: ({ root, flags }) => {
    const grep = flags['grep'] ?? 'auto';
    if (!GREP_ENGINES.includes(grep as GrepEngine)) {
      throw new UsageError(`--grep must be one of ${GREP_ENGINES.join(', ')}, not ${String(grep)}`);
    }
    return createFsServer({ root, grepEngine: grep as GrepEngine });
  },
});
