/**
 * The contract between grep and its two engines (ripgrep and the JS
 * fallback): the same query in, the same matches out, so that the model sees
 * one output shape whichever engine ran.
 */

export interface GrepQuery {
  /** Real path of the workspace root. */
  root: string;
  /** Real path of the file or directory to search. */
  target: string;
  targetIsFile: boolean;
  /** Regular expression. */
  pattern: string;
  /** File filter; without a `/` it matches file names at any depth (ripgrep's rule). */
  glob?: string | undefined;
  ignoreCase: boolean;
  /** Stop after this many matches. */
  maxMatches: number;
  signal: AbortSignal;
}

export interface GrepMatch {
  /** Root-relative path with `/` separators. */
  path: string;
  line: number;
  text: string;
}

/** Engines order matches by path, compared one segment at a time (ripgrep's --sort path). */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
