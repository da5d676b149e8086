#!/usr/bin/env node
/**
 * Stdio entry of the git tool server, usable by any MCP client:
 *
 *   node dist/tools/git/server.js --root DIR [--allow-push]
 */
import { runStdioServer } from '../common/serve-stdio.js';
import { createGitServer } from './git-server.js';

await runStdioServer({
  name: 'git',
  flags: { 'allow-push': { type: 'boolean' } },
  create: ({ root, flags }) => createGitServer({ root, allowPush: flags['allow-push'] === true }),
});
