/**
 * The git tools that only look: `git_status`, `git_diff`, `git_log`,
 * `git_show`. Safe to run again after a crash, so all are read-only.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult } from '../common/tool-result.js';
import { capOutput } from './cap-output.js';
import type { GitSettings } from './git-server.js';
import { pathspecs, revisionArgument } from './git-runner.js';

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true } as const;

export async function shortStatus(settings: GitSettings, signal: AbortSignal): Promise<string> {
  const status = await settings.git.run(['status', '--short', '--branch'], { signal });
  const clean = status.split('\n').filter((line) => line !== '' && !line.startsWith('##')).length === 0;
  return capOutput(clean ? `${status}(clean: nothing to commit)\n` : status, settings.maxOutputBytes, 'pass paths to narrow it');
}

function noChanges(staged: boolean, ref: string | undefined): string {
  if (ref !== undefined) return `no ${staged ? 'staged ' : ''}changes against ${ref}`;
  return staged ? 'no staged changes' : 'no unstaged changes (staged ones show with staged: true)';
}

export function registerReadTools(server: McpServer, settings: GitSettings): void {
  const { git, maxOutputBytes } = settings;

  registerBuiltinTool(server, 'git_status', {
    description: new URL('./git-status.md', import.meta.url),
    inputSchema: z.object({}).strict(),
    annotations: READ_ONLY,
    run: async (_args, { signal }) => textResult(await shortStatus(settings, signal)),
  });

  registerBuiltinTool(server, 'git_diff', {
    description: new URL('./git-diff.md', import.meta.url),
    inputSchema: z
      .object({
        staged: z.boolean().optional().describe('Staged changes instead of unstaged'),
        ref: z.string().optional().describe('Compare the working tree (or index, if staged) with this commit'),
        paths: z.array(z.string()).optional(),
      })
      .strict(),
    annotations: READ_ONLY,
    run: async ({ staged, ref, paths }, { signal }) => {
      const selection = [...(staged ? ['--cached'] : []), ...(ref === undefined ? [] : [revisionArgument(ref, 'ref')])];
      const specs = ['--', ...(await pathspecs(git.root, paths ?? []))];
      const diff = await git.run(['diff', '--no-ext-diff', ...selection, ...specs], { signal });
      if (diff === '') return textResult(noChanges(staged === true, ref));
      if (Buffer.byteLength(diff) <= maxOutputBytes) return textResult(diff);
      const stat = await git.run(['diff', '--no-ext-diff', '--stat', ...selection, ...specs], { signal });
      return textResult(`${stat}\n${capOutput(diff, maxOutputBytes, 'pass paths to see the rest')}`);
    },
  });

  registerBuiltinTool(server, 'git_log', {
    description: new URL('./git-log.md', import.meta.url),
    inputSchema: z
      .object({
        count: z.number().min(1).max(200).optional().describe('Commits to show, default 10'),
        ref: z.string().optional(),
        path: z.string().optional().describe('Only commits touching this path'),
      })
      .strict(),
    annotations: READ_ONLY,
    run: async ({ count, ref, path }, { signal }) => {
      const args = ['log', `--max-count=${Math.floor(count ?? 10)}`, '--date=short', '--format=%h %ad %an%d: %s'];
      if (ref !== undefined) args.push(revisionArgument(ref, 'ref'));
      args.push('--', ...(await pathspecs(git.root, path === undefined ? [] : [path])));
      const log = await git.run(args, { signal });
      return textResult(log === '' ? 'no commits match' : capOutput(log, maxOutputBytes, 'ask for fewer commits'));
    },
  });

  registerBuiltinTool(server, 'git_show', {
    description: new URL('./git-show.md', import.meta.url),
    inputSchema: z.object({ ref: z.string().optional().describe('Commit, default HEAD; or REF:PATH for a file') }).strict(),
    annotations: READ_ONLY,
    run: async ({ ref }, { signal }) => {
      const shown = await git.run(['show', '--no-ext-diff', '--stat', '--patch', '--format=fuller', revisionArgument(ref ?? 'HEAD', 'ref')], { signal });
      return textResult(capOutput(shown, maxOutputBytes, 'use git_diff with paths for the rest'));
    },
  });
}
