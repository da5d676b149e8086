/**
 * When an edit's old_string matches nowhere, which places in the file did the
 * model probably mean? First the places equal to it when whitespace is
 * ignored (the usual cause: indentation or trailing spaces), else the most
 * similar line windows by bigram overlap. Cheap enough for a 10 MB file: only
 * the best-scoring first lines are scored as whole windows.
 */

export interface Candidate {
  /** 1-based first line of the candidate window. */
  startLine: number;
  lines: string[];
  /** `whitespace`: equal except for whitespace; `similar`: best fuzzy matches. */
  kind: 'whitespace' | 'similar';
  /** Similarity 0..1 (1 for whitespace matches). */
  score: number;
}

const MIN_SIMILARITY = 0.4;
const FIRST_LINE_SHORTLIST = 25;

const squash = (line: string) => line.replace(/\s+/g, ' ').trim();

function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const s = text.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < s.length - 1; i++) {
    const gram = s.slice(i, i + 2);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/** Sørensen–Dice similarity of two strings over character bigrams, whitespace folded. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  let total = 0;
  for (const n of x.values()) total += n;
  for (const n of y.values()) total += n;
  if (total === 0) return squash(a) === squash(b) ? 1 : 0;
  let shared = 0;
  for (const [gram, n] of x) shared += Math.min(n, y.get(gram) ?? 0);
  return (2 * shared) / total;
}

/** Up to `max` places in `fileLines` that `needle` most likely meant. */
export function closestCandidates(fileLines: readonly string[], needle: string, max = 3): Candidate[] {
  const needleLines = needle.replace(/\n+$/, '').split('\n');
  const k = needleLines.length;
  const squashedNeedle = needleLines.map(squash).join('\n');
  const squashedFile = fileLines.map(squash);
  const exact: Candidate[] = [];
  for (let i = 0; i + k <= fileLines.length && exact.length < max; i++) {
    if (squashedFile[i] !== squash(needleLines[0] ?? '')) continue;
    if (squashedFile.slice(i, i + k).join('\n') === squashedNeedle) {
      exact.push({ startLine: i + 1, lines: fileLines.slice(i, i + k), kind: 'whitespace', score: 1 });
    }
  }
  if (exact.length > 0) return exact;

  const firstNeedle = needleLines.find((line) => line.trim() !== '') ?? needleLines[0] ?? '';
  const offsetOfFirst = Math.max(0, needleLines.indexOf(firstNeedle));
  const shortlist = fileLines
    .map((line, index) => ({ index, score: similarity(line, firstNeedle) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, FIRST_LINE_SHORTLIST);
  const scored = shortlist.map(({ index }) => {
    const start = Math.max(0, index - offsetOfFirst);
    const window = fileLines.slice(start, start + k);
    return { start, window, score: similarity(window.join('\n'), needleLines.join('\n')) };
  });
  const seen = new Set<number>();
  return scored
    .sort((a, b) => b.score - a.score || a.start - b.start)
    .filter(({ start, score }) => score >= MIN_SIMILARITY && !seen.has(start) && seen.add(start))
    .slice(0, max)
    .map(({ start, window, score }) => ({ startLine: start + 1, lines: window, kind: 'similar' as const, score }));
}

/** Candidates as text for the model: a header per candidate, then numbered lines (cut to stay short). */
export function renderCandidates(candidates: readonly Candidate[], maxLines = 6, maxChars = 200): string {
  return candidates
    .map((candidate) => {
      const end = candidate.startLine + candidate.lines.length - 1;
      const label = candidate.kind === 'whitespace' ? 'same text except whitespace' : `${Math.round(candidate.score * 100)}% similar`;
      const shown = candidate.lines.slice(0, maxLines).map((line, i) => {
        const cut = line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
        return `${candidate.startLine + i}\t${cut}`;
      });
      if (candidate.lines.length > maxLines) shown.push(`\t… ${candidate.lines.length - maxLines} more lines`);
      return [`lines ${candidate.startLine}-${end} (${label}):`, ...shown].join('\n');
    })
    .join('\n');
}
