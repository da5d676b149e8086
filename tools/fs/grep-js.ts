/**
 * The grep engine used when ripgrep is not on PATH: walks the workspace files
 * (.gitignore respected; binary, oversized and symlinked files skipped, as
 * ripgrep skips symlinks) and tests each line with a JavaScript RegExp.
 */
import { lstat, readFile } from 'node:fs/promises';
import { ToolError } from '../common/tool-result.js';
import { comparePaths, type GrepMatch, type GrepQuery } from './grep-types.js';
import { MAX_TEXT_FILE_BYTES } from './text-file.js';
import { findWorkspaceFiles, toRootRelative } from './workspace-files.js';

export async function grepWithJs(query: GrepQuery): Promise<GrepMatch[]> {
  let regex: RegExp;
  try {
    regex = new RegExp(query.pattern, query.ignoreCase ? 'i' : '');
  } catch (error) {
    throw new ToolError(`invalid regular expression: ${(error as Error).message}`);
  }
  const files = query.targetIsFile
    ? [toRootRelative(query.root, query.target)]
    : await findWorkspaceFiles({
        root: query.root,
        base: query.target,
        pattern: query.glob === undefined ? '**/*' : query.glob.includes('/') ? query.glob : `**/${query.glob}`,
        signal: query.signal,
      });
  files.sort(comparePaths);
  const matches: GrepMatch[] = [];
  for (const path of files) {
    if (query.signal.aborted) break;
    const absolute = `${query.root}/${path}`;
    const info = await lstat(absolute).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_TEXT_FILE_BYTES) continue;
    const bytes = await readFile(absolute).catch(() => undefined);
    if (!bytes || bytes.subarray(0, 8192).includes(0)) continue;
    const lines = bytes.toString('utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = (lines[index] ?? '').replace(/\r$/, '');
      if (index === lines.length - 1 && line === '') break;
      if (!regex.test(line)) continue;
      matches.push({ path, line: index + 1, text: line });
      if (matches.length >= query.maxMatches) return matches;
    }
  }
  return matches;
}
