/**
 * The grep engine backed by ripgrep (`rg --json`), run so that it behaves like
 * the JS engine: hidden files searched, .git skipped, .gitignore respected even
 * outside a git repository, results sorted by path, stopped after enough matches.
 * A --glob overrides ripgrep's ignore rules, so with one the matches are
 * filtered through GitignoreFilter afterwards.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ToolError } from '../common/tool-result.js';
import { GitignoreFilter } from './gitignore-filter.js';
import type { GrepMatch, GrepQuery } from './grep-types.js';
import { toRootRelative } from './workspace-files.js';

/** Whether `rg` can be started; checked once per executable path. */
export function ripgrepAvailable(executable: string): Promise<boolean> {
  let cached = availability.get(executable);
  if (!cached) {
    cached = new Promise((resolve) => {
      const child = spawn(executable, ['--version'], { stdio: 'ignore' });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
    });
    availability.set(executable, cached);
  }
  return cached;
}
const availability = new Map<string, Promise<boolean>>();

const rgText = (value: { text?: string; bytes?: string } | undefined) =>
  value?.text ?? (value?.bytes ? Buffer.from(value.bytes, 'base64').toString('utf8') : '');

export async function grepWithRipgrep(query: GrepQuery, executable: string): Promise<GrepMatch[]> {
  const args = ['--json', '--no-require-git', '--hidden', '--glob', '!.git', '--sort', 'path', '--no-config'];
  if (query.ignoreCase) args.push('--ignore-case');
  if (query.glob !== undefined) args.push('--glob', query.glob);
  args.push('--regexp', query.pattern, '--', toRootRelative(query.root, query.target) || '.');
  const child = spawn(executable, args, { cwd: query.root, stdio: ['ignore', 'pipe', 'pipe'], signal: query.signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4000) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const matches: GrepMatch[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{"type":"match"')) continue;
    const event = JSON.parse(line) as {
      data: { path: { text?: string; bytes?: string }; lines: { text?: string; bytes?: string }; line_number: number };
    };
    const path = rgText(event.data.path).replace(/^\.\//, '');
    const text = rgText(event.data.lines).replace(/\r?\n$/, '');
    matches.push({ path, line: event.data.line_number, text });
    if (matches.length >= query.maxMatches) {
      child.kill();
      break;
    }
  }
  const code = await exited;
  if (code === 2 && matches.length === 0 && stderr !== '') {
    const last = stderr.trim().split('\n').at(-1)?.replace(/^error: /, '') ?? '';
    if (stderr.includes('regex parse error')) throw new ToolError(`invalid regular expression: ${last}`);
    throw new ToolError(`grep failed: ${last}`);
  }
  if (query.glob === undefined || query.targetIsFile) return matches;
  const filter = new GitignoreFilter(query.root);
  const verdicts = await Promise.all(matches.map((match) => filter.isIgnored(match.path)));
  return matches.filter((_, index) => !verdicts[index]);
}
