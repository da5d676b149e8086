/**
 * What parsing a command costs the approval gate: `shapeOf` (tree-sitter-bash
 * parse plus the walk into simple commands) per command line of the approval test
 * table, many rounds, median and p99; and the one-time load of the parser.
 * Run: `npm run build && node dist/test/bench/approvals.js`.
 */
import { pathToFileURL } from 'node:url';
import { shapeOf } from '../../src/agent/approval.js';
import { APPROVAL_TABLE } from '../agent/approval-table.js';

export interface ApprovalBenchResult {
  commands: number;
  rounds: number;
  loadMs: number;
  perCommand: { medianUs: number; p99Us: number; maxUs: number };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

export async function benchApprovals(rounds = 200): Promise<ApprovalBenchResult> {
  const loadStart = performance.now();
  await shapeOf('run_shell', { command: 'true' });
  const loadMs = performance.now() - loadStart;
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [command] of APPROVAL_TABLE) {
      const start = performance.now();
      await shapeOf('run_shell', { command });
      samples.push((performance.now() - start) * 1000);
    }
  }
  samples.sort((a, b) => a - b);
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return {
    commands: APPROVAL_TABLE.length,
    rounds,
    loadMs: round1(loadMs),
    perCommand: { medianUs: round1(percentile(samples, 0.5)), p99Us: round1(percentile(samples, 0.99)), maxUs: round1(samples.at(-1)!) },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchApprovals(), null, 2)}\n`);
}
