/**
 * Finding files in the workspace for glob and the JS grep: tinyglobby does the
 * matching and the crawl, the root .gitignore's plain rules prune the crawl
 * (so an ignored node_modules is never walked), and GitignoreFilter then gives
 * the exact answer, nested .gitignore files and negations included.
 */
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { GitignoreFilter } from './gitignore-filter.js';

/** Globs that prune the crawl, derived from a .gitignore without negations; [] when it has any. */
export function pruneGlobsFromGitignore(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.some((line) => line.startsWith('!') || line.includes('\\'))) return [];
  const globs: string[] = [];
  for (const line of lines) {
    const directoryOnly = line.endsWith('/');
    const body = directoryOnly ? line.slice(0, -1) : line;
    if (body === '' || body === '**') continue;
    const anchored = body.includes('/');
    const base = anchored ? body.replace(/^\//, '') : `**/${body}`;
    globs.push(`${base}/**`);
    if (!directoryOnly) globs.push(base);
  }
  return globs;
}

function rootPruneGlobs(root: string): string[] {
  try {
    return pruneGlobsFromGitignore(readFileSync(join(root, '.gitignore'), 'utf8'));
  } catch {
    return [];
  }
}

export interface FindFilesOptions {
  /** Real path of the workspace root. */
  root: string;
  /** Real path of the directory to search in (inside the root). */
  base: string;
  /** Glob relative to `base`. @default '**\/*' */
  pattern?: string;
  signal?: AbortSignal;
}

/** Files under `base` matching `pattern`, as root-relative `/` paths, sorted, .gitignore respected. */
export async function findWorkspaceFiles(options: FindFilesOptions): Promise<string[]> {
  const found = await glob(options.pattern ?? '**/*', {
    cwd: options.base,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: ['**/.git/**', ...rootPruneGlobs(options.root).flatMap((g) => relativeGlob(options.root, options.base, g))],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const rootRelative = found
    .map((file) => toRootRelative(options.root, join(options.base, file)))
    .filter((path) => path !== '..' && !path.startsWith('../'));
  const kept = await new GitignoreFilter(options.root).keep(rootRelative);
  return kept.sort();
}

/** A root-relative prune glob re-expressed relative to `base`; [] when it cannot apply below `base`. */
function relativeGlob(root: string, base: string, rootGlob: string): string[] {
  if (rootGlob.startsWith('**/')) return [rootGlob];
  const prefix = toRootRelative(root, base);
  if (prefix === '') return [rootGlob];
  return rootGlob.startsWith(`${prefix}/`) ? [rootGlob.slice(prefix.length + 1)] : [];
}

export function toRootRelative(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}
