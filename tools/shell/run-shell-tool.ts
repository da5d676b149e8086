/**
 * The `run_shell` tool: validates the working directory against the workspace,
 * runs the command in the foreground with a timeout and a head+tail output cap,
 * or hands it to the job registry when `background` is set.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { resolveInside } from '../common/paths.js';
import { errorResult, textResult, ToolError } from '../common/tool-result.js';
import { HeadTailBuffer } from './byte-ring.js';
import type { JobRegistry } from './job-registry.js';
import { describeOutcome, outcomeFields } from './outcome-text.js';
import { formatBytes, renderHeadTail } from './output-text.js';
import { startProgressTicker } from './progress-ticker.js';

/** What the shell tools share; built once per server by createShellServer. */
export interface ShellSettings {
  /** Real path of the workspace root. */
  root: string;
  /** Already filtered environment for commands. */
  env: Record<string, string>;
  jobs: JobRegistry;
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** Output bytes shown to the model per call: a quarter from the start, the rest from the end. */
  maxOutputBytes: number;
  /** How often a foreground command reports progress, when the client asked for it. */
  progressIntervalMs: number;
}

async function workingDirectory(root: string, cwd = '.'): Promise<string> {
  const directory = await resolveInside(root, cwd);
  const info = await stat(directory).catch(() => undefined);
  if (!info) throw new ToolError(`cwd "${cwd}" does not exist; create it first or pick an existing directory`);
  if (!info.isDirectory()) throw new ToolError(`cwd "${cwd}" is a file, not a directory`);
  return directory;
}

export function registerRunShell(server: McpServer, settings: ShellSettings): void {
  const inputSchema = z
    .object({
      command: z.string().describe('Bash command'),
      cwd: z.string().optional().describe('Directory, relative to the workspace'),
      timeout: z
        .number()
        .int()
        .min(1)
        .max(settings.maxTimeoutSeconds)
        .optional()
        .describe(`Seconds, default ${settings.defaultTimeoutSeconds}`),
      background: z.boolean().optional().describe('Run as a job; returns its id'),
    })
    .strict();

  registerBuiltinTool(server, 'run_shell', {
    description: new URL('./run-shell.md', import.meta.url),
    inputSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async ({ command, cwd, timeout, background }, { signal, mcp }) => {
      const directory = await workingDirectory(settings.root, cwd);
      if (background) {
        const job = await settings.jobs.start({ command, cwd: directory, env: settings.env });
        if (typeof job === 'string') return errorResult(job);
        return textResult(`started job ${job.id} (pid ${job.process.pid}); follow it with job_output, stop it with job_kill`, {
          jobId: job.id,
          pid: job.process.pid ?? null,
        });
      }

      const output = new HeadTailBuffer(settings.maxOutputBytes >> 2, settings.maxOutputBytes - (settings.maxOutputBytes >> 2));
      const running = await settings.jobs.run({ command, cwd: directory, env: settings.env, onOutput: (chunk) => output.write(chunk) });
      if (typeof running === 'string') return errorResult(running);
      const timeoutSeconds = timeout ?? settings.defaultTimeoutSeconds;
      const timer = setTimeout(() => running.stop('timeout'), timeoutSeconds * 1000);
      const onAbort = () => running.stop('cancelled');
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      const stopProgress = startProgressTicker(mcp, settings.progressIntervalMs, () => `running, ${formatBytes(output.total)} of output so far`);
      const outcome = await running.done.finally(() => {
        clearTimeout(timer);
        stopProgress();
        signal.removeEventListener('abort', onAbort);
      });

      const { head, tail, omitted } = output.snapshot();
      const total = output.total;
      const lines = [describeOutcome(outcome, timeoutSeconds)];
      if (total === 0) lines.push('(no output)');
      else {
        if (omitted > 0) lines.push(`output: ${formatBytes(total)} in all; ${formatBytes(omitted)} omitted from the middle`);
        lines.push(renderHeadTail(head, tail, omitted));
      }
      const isError = outcome.stoppedBy !== undefined || outcome.end.kind === 'failed-to-start';
      const result = textResult(lines.join('\n'), { ...outcomeFields(outcome), outputBytes: total, omittedBytes: omitted });
      return isError ? { ...result, isError: true } : result;
    },
  });
}
