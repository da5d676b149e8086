/**
 * The built-in git tool server: status, diff, log, show, add, commit, branch
 * and restore on one McpServer rooted at a workspace, and push only when the
 * user enabled it. It stands alone (stdio entry in server.ts) and imports
 * nothing from src/. It never writes git config: a missing author identity is
 * supplied per commit with `-c`.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { realRoot } from '../common/paths.js';
import { createGitRunner, type GitRunner } from './git-runner.js';
import { registerReadTools } from './read-tools.js';
import { registerPushTool, registerWriteTools } from './write-tools.js';

export interface GitServerOptions {
  /** Workspace root; git runs here and every path is resolved inside it. */
  root: string;
  /** Registers `git_push`; pushing reaches other machines, so it is off unless configured. @default false */
  allowPush?: boolean;
  /** Output bytes returned per call; longer diffs and logs are cut with a note. @default 32768 */
  maxOutputBytes?: number;
  /** A git command that prints nothing for this long is killed (a credential prompt, a stuck hook). @default 60000 */
  silenceTimeoutMs?: number;
}

/** What the git tools share. */
export interface GitSettings {
  git: GitRunner;
  maxOutputBytes: number;
}

export function createGitServer(options: GitServerOptions): McpServer {
  const server = new McpServer({ name: 'endure-git', version: '0.1.0' });
  const settings: GitSettings = {
    git: createGitRunner(realRoot(options.root), options.silenceTimeoutMs),
    maxOutputBytes: options.maxOutputBytes ?? 32 * 1024,
  };
  registerReadTools(server, settings);
  registerWriteTools(server, settings);
  if (options.allowPush === true) registerPushTool(server, settings);
  return server;
}
