/**
 * The git tools that change the repository: `git_add`, `git_commit`,
 * `git_branch`, `git_restore`, and `git_push` when enabled. Their annotations
 * tell the journal which of them may run again after a crash.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerBuiltinTool } from '../common/define-tool.js';
import { textResult, ToolError } from '../common/tool-result.js';
import type { GitSettings } from './git-server.js';
import { pathspecs, revisionArgument, type GitRunner } from './git-runner.js';
import { shortStatus } from './read-tools.js';

const paths = z.array(z.string()).min(1).describe('Files or directories, relative to the workspace');

/** `-c user.name=... -c user.email=...` for whichever of the two the repository lacks. */
async function identityFallback(git: GitRunner, signal: AbortSignal): Promise<string[]> {
  const configured = await git.run(['config', '--get-regexp', '^user\\.(name|email)$'], { signal }).catch(() => '');
  const keys = new Set(configured.split('\n').map((line) => line.split(' ')[0]));
  return [...(keys.has('user.name') ? [] : ['user.name=endure']), ...(keys.has('user.email') ? [] : ['user.email=endure@localhost'])];
}

export function registerWriteTools(server: McpServer, settings: GitSettings): void {
  const { git } = settings;

  registerBuiltinTool(server, 'git_add', {
    description: new URL('./git-add.md', import.meta.url),
    inputSchema: z.object({ paths }).strict(),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    run: async (args, { signal }) => {
      await git.run(['add', '--', ...(await pathspecs(git.root, args.paths))], { signal });
      return textResult(await shortStatus(settings, signal));
    },
  });

  registerBuiltinTool(server, 'git_commit', {
    description: new URL('./git-commit.md', import.meta.url),
    inputSchema: z.object({ message: z.string().min(1) }).strict(),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    run: async ({ message }, { signal }) => {
      const config = await identityFallback(git, signal);
      try {
        return textResult(await git.run(['commit', '-m', message], { signal, config }));
      } catch (error) {
        if (error instanceof ToolError && /nothing to commit|no changes added to commit|nothing added to commit/i.test(error.message)) {
          throw new ToolError('nothing is staged to commit; stage changes with git_add first (git_status shows what changed)');
        }
        throw error;
      }
    },
  });

  registerBuiltinTool(server, 'git_branch', {
    description: new URL('./git-branch.md', import.meta.url),
    inputSchema: z
      .object({
        action: z.enum(['list', 'create', 'switch']).optional().describe('Default list'),
        name: z.string().optional(),
        from: z.string().optional().describe('Start point for create, default HEAD'),
      })
      .strict(),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    run: async ({ action = 'list', name, from }, { signal }) => {
      if (action === 'list') {
        const branches = await git.run(['branch', '--list', '-v'], { signal });
        return textResult(branches === '' ? 'no branches yet: the repository has no commits' : branches);
      }
      if (name === undefined) throw new ToolError(`git_branch ${action} needs a name`);
      const branch = revisionArgument(name, 'branch');
      if (action === 'create') {
        const start = from === undefined ? [] : [revisionArgument(from, 'start point')];
        await git.run(['switch', '--create', branch, ...start], { signal });
        return textResult(`created branch ${branch}${from === undefined ? '' : ` from ${from}`} and switched to it`);
      }
      await git.run(['switch', branch], { signal });
      return textResult(`switched to branch ${branch}\n${await shortStatus(settings, signal)}`);
    },
  });

  registerBuiltinTool(server, 'git_restore', {
    description: new URL('./git-restore.md', import.meta.url),
    inputSchema: z.object({ paths, staged: z.boolean().optional().describe('Unstage only; keep the file as it is') }).strict(),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    run: async (args, { signal }) => {
      const where = args.staged ? ['--staged'] : ['--worktree'];
      await git.run(['restore', ...where, '--', ...(await pathspecs(git.root, args.paths))], { signal });
      return textResult(await shortStatus(settings, signal));
    },
  });
}

export function registerPushTool(server: McpServer, settings: GitSettings): void {
  const { git } = settings;
  registerBuiltinTool(server, 'git_push', {
    description: new URL('./git-push.md', import.meta.url),
    inputSchema: z
      .object({ remote: z.string().optional().describe('Default origin'), branch: z.string().optional().describe('Default: the current branch') })
      .strict(),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    run: async ({ remote, branch }, { signal }) => {
      const target = [revisionArgument(remote ?? 'origin', 'remote'), revisionArgument(branch ?? 'HEAD', 'branch')];
      const pushed = await git.run(['push', '--porcelain', ...target], { signal });
      return textResult(pushed.trim() === '' ? 'pushed' : pushed);
    },
  });
}
