/**
 * How the git tools talk to git: through simple-git, one short-lived instance
 * per call carrying the call's abort signal and a no-output timeout, so a git
 * that waits on a prompt or a hook cannot hang the server. git's own failures
 * (any non-zero exit, even a silent one) become ToolErrors whose text the
 * model can act on; arguments that would be read as options, and paths outside
 * the workspace, are refused before git runs.
 */
import { relative } from 'node:path';
import { resolveInside } from '../common/paths.js';
import { ToolError } from '../common/tool-result.js';

export interface GitRunOptions {
  signal: AbortSignal;
  /** `-c name=value` settings for this one command; never written to any config file. */
  config?: string[];
}

export interface GitRunner {
  /** Real path of the workspace root, where git runs. */
  readonly root: string;
  /** Runs `git ...args` in the root and returns its stdout; failures throw ToolError. */
  run(args: string[], options: GitRunOptions): Promise<string>;
}

type SimpleGitModule = typeof import('simple-git');

let simpleGitModule: Promise<SimpleGitModule> | undefined;

/** simple-git is loaded on the first call rather than at server start, to keep start-up short. */
function loadSimpleGit(): Promise<SimpleGitModule> {
  return (simpleGitModule ??= import('simple-git'));
}

function describeGitFailure(args: string[], error: unknown, root: string, silenceMs: number): string {
  const plugin = (error as { plugin?: unknown } | undefined)?.plugin;
  if (plugin === 'abort') return `git ${args[0]} was cancelled`;
  if (plugin === 'timeout') {
    return `git ${args[0]} printed nothing for ${silenceMs / 1000} s and was stopped; it may be waiting for credentials or a hook`;
  }
  const message = error instanceof Error ? error.message.trim() : String(error);
  if (/not a git repository/i.test(message)) {
    return `the workspace ${root} is not a git repository; create one with run_shell "git init", or work without git`;
  }
  if (/does not have any commits yet/i.test(message)) return 'the repository has no commits yet; commit something first';
  const lines = message.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('hint:'));
  return `git ${args[0]} failed: ${lines.slice(0, 12).join('\n')}`;
}

/**
 * @param root real path of the workspace
 * @param silenceMs how long git may print nothing before it is killed
 */
export function createGitRunner(root: string, silenceMs = 60_000): GitRunner {
  return {
    root,
    async run(args, { signal, config = [] }) {
      const { simpleGit } = await loadSimpleGit();
      const git = simpleGit({
        baseDir: root,
        abort: signal,
        config: ['core.quotepath=false', 'color.ui=false', ...config],
        timeout: { block: silenceMs },
        trimmed: false,
        errors: (error, result) => {
          if (error || result.exitCode === 0) return error;
          const output = Buffer.concat([...result.stdErr, ...result.stdOut]);
          return output.length > 0 ? output : Buffer.from(`exit code ${result.exitCode}`);
        },
      });
      try {
        return await git.raw(args);
      } catch (error) {
        throw new ToolError(describeGitFailure(args, error, root, silenceMs));
      }
    },
  };
}

/** A revision or branch name, refused when git would read it as an option. */
export function revisionArgument(value: string, what: string): string {
  if (value.trim() === '' || value.startsWith('-') || /\s|\0/.test(value)) {
    throw new ToolError(`${what} "${value}" is not a valid git ${what}; use a name like main, HEAD~1 or a commit hash`);
  }
  return value;
}

/** Workspace-relative pathspecs for `paths`, each checked to stay inside the root. */
export async function pathspecs(root: string, paths: readonly string[]): Promise<string[]> {
  const specs: string[] = [];
  for (const path of paths) {
    const absolute = await resolveInside(root, path);
    specs.push(relative(root, absolute) || '.');
  }
  return specs;
}
