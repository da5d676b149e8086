/**
 * The built-in shell tool server: `run_shell`, `job_output` and `job_kill` on
 * one McpServer, rooted at a workspace. It stands alone (stdio entry in
 * server.ts) and imports nothing from src/. Closing the server stops every
 * command and job it started.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { realRoot } from '../common/paths.js';
import { filterEnvironment } from './environment.js';
import { registerJobTools } from './job-tools.js';
import { JobRegistry } from './job-registry.js';
import { registerRunShell } from './run-shell-tool.js';

export interface ShellServerOptions {
  /** Workspace root; every cwd is resolved inside it. */
  root: string;
  /** Variables passed to commands even though their names look like secrets. @default [] */
  passEnv?: string[];
  /** Environment commands start from, before secret filtering. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Foreground timeout when the call names none. @default 120 */
  defaultTimeoutSeconds?: number;
  /** Largest timeout a call may ask for. @default 600 */
  maxTimeoutSeconds?: number;
  /** Output bytes returned per call (a quarter from the start, the rest from the end). @default 32768 */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL when a process group is stopped. @default 2000 */
  killGraceMs?: number;
  /** Interval of progress notifications for a foreground command, sent when the client passed a progressToken. @default 5000 */
  progressIntervalMs?: number;
}

export function createShellServer(options: ShellServerOptions): McpServer {
  const server = new McpServer({ name: 'endure-shell', version: '0.1.0' });
  const jobs = new JobRegistry({ killGraceMs: options.killGraceMs ?? 2000 });
  const settings = {
    root: realRoot(options.root),
    env: filterEnvironment(options.env ?? process.env, options.passEnv),
    jobs,
    defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 120,
    maxTimeoutSeconds: options.maxTimeoutSeconds ?? 600,
    maxOutputBytes: options.maxOutputBytes ?? 32 * 1024,
    progressIntervalMs: options.progressIntervalMs ?? 5000,
  };
  registerRunShell(server, settings);
  registerJobTools(server, settings);

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    previousOnClose?.();
    void jobs.close();
  };
  return server;
}
