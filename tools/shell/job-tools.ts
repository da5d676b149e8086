/**
 * The `job_output` and `job_kill` tools, which follow and stop the background
 * jobs that `run_shell` starts. Output is read in bounded slices addressed by
 * byte offset, so a chatty job never floods the model's context.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import type { Job, JobRegistry } from './job-registry.js';
import { describeOutcome, outcomeFields } from './outcome-text.js';
import { formatBytes, incompleteTailLength, strayHeadLength } from './output-text.js';
import type { ShellSettings } from './run-shell-tool.js';

function findJob(jobs: JobRegistry, id: string): Job {
  const job = jobs.get(id);
  if (job) return job;
  const known = jobs.ids();
  throw new ToolError(`no job "${id}"; ${known.length === 0 ? 'no background jobs exist' : `known jobs: ${known.join(', ')}`}`);
}

function jobStatus(job: Job): string {
  if (job.outcome) return `job ${job.id}: ${describeOutcome(job.outcome)}`;
  const seconds = Math.round((Date.now() - job.startedAt) / 1000);
  return `job ${job.id}: running for ${seconds} s (pid ${job.process.pid})`;
}

interface Slice {
  text: string;
  from: number;
  to: number;
  notes: string[];
}

/** New output since the cursor (its last `limit` bytes), or `limit` bytes from `offset`. */
function readSlice(job: Job, offset: number | undefined, limit: number): Slice {
  const { output } = job;
  const notes: string[] = [];
  let from = offset ?? job.cursor;
  let to = output.total;
  if (from > to) throw new ToolError(`offset ${from} is past the end of the output (${formatBytes(to)} so far)`);
  if (from < output.start) {
    notes.push(`bytes ${from}-${output.start} were discarded (only the latest ${formatBytes(output.capacity)} are kept)`);
    from = output.start;
  }
  if (to - from > limit) {
    if (offset === undefined) {
      notes.push(`${formatBytes(to - limit - from)} of new output not shown; pass offset=${from} to read them`);
      from = to - limit;
    } else to = from + limit;
  }
  let bytes = output.slice(from, to);
  const stray = from > 0 ? strayHeadLength(bytes) : 0;
  const cut = to < output.total || job.outcome === undefined ? incompleteTailLength(bytes) : 0;
  bytes = bytes.subarray(stray, bytes.length - cut);
  from += stray;
  to -= cut;
  if (offset !== undefined && to < output.total) notes.push(`more output follows; pass offset=${to} to continue`);
  return { text: bytes.toString('utf8'), from, to, notes };
}

export function registerJobTools(server: McpServer, settings: ShellSettings): void {
  registerBuiltinTool(server, 'job_output', {
    description: new URL('./job-output.md', import.meta.url),
    inputSchema: z
      .object({
        job_id: z.string().describe('Id from run_shell'),
        offset: z.number().min(0).optional().describe('Byte offset (default: after the last read)'),
      })
      .strict(),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    run: ({ job_id, offset }) => {
      const job = findJob(settings.jobs, job_id);
      const slice = readSlice(job, offset === undefined ? undefined : Math.floor(offset), settings.maxOutputBytes);
      if (offset === undefined) job.cursor = slice.to;
      const lines = [jobStatus(job), ...slice.notes.map((note) => `[${note}]`)];
      lines.push(slice.to === slice.from ? '(no new output)' : `[output bytes ${slice.from}-${slice.to} of ${job.output.total}]\n${slice.text}`);
      const fields = job.outcome ? outcomeFields(job.outcome) : { exitCode: null, signal: null, stoppedBy: null };
      return textResult(lines.join('\n'), {
        jobId: job.id,
        running: job.outcome === undefined,
        ...fields,
        from: slice.from,
        to: slice.to,
        totalBytes: job.output.total,
      });
    },
  });

  registerBuiltinTool(server, 'job_kill', {
    description: new URL('./job-kill.md', import.meta.url),
    inputSchema: z.object({ job_id: z.string().describe('Id from run_shell') }).strict(),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    run: async ({ job_id }) => {
      const job = findJob(settings.jobs, job_id);
      if (job.outcome) return textResult(`job ${job.id} had already ended: ${describeOutcome(job.outcome)}`, outcomeFields(job.outcome));
      job.process.stop('killed');
      const outcome = await job.process.done;
      return textResult(`job ${job.id} ${describeOutcome(outcome)}; ${formatBytes(job.output.total - job.cursor)} of its output unread`, {
        ...outcomeFields(outcome),
      });
    },
  });
}
