/**
 * `npm run bench`: every benchmark of the project, one after another, each
 * printing its figures and writing bench-results/<name>.json. The soak runs at
 * N = 1,000 by default; `npm run bench -- 10000` runs the long one. It ends with
 * the targets table: start-up, overhead per turn and peak RSS for every way of
 * launching endure, next to the targets and the bare loop, and the per-tenth gaps.
 * BENCH=targets,soak runs only those; BENCH_RUNS sets the runs per figure (3).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

type Bench = [name: string, run: () => Promise<unknown>];

const soakCalls = Number(process.argv[2] ?? 1000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
let targets: import('./targets.js').TargetsResult | undefined;
// The previous run's targets, the table's "before" rows (read before this run writes its own).
const PREVIOUS = 'bench-results/targets.json';
const before = existsSync(PREVIOUS) ? (JSON.parse(readFileSync(PREVIOUS, 'utf8')) as import('./targets.js').TargetsResult) : undefined;
const benches: Bench[] = [
  [
    'targets',
    async () => {
      const { benchTargets } = await import('./targets.js');
      targets = await benchTargets(soakCalls, runs, (line) => process.stdout.write(`${line}\n`));
      return targets;
    },
  ],
  ['first-request', async () => (await import('./first-request.js')).benchFirstRequest()],
  ['soak', async () => (await import('./soak.js')).benchSoak(soakCalls)],
  ['model-client', async () => (await import('./model-client.js')).benchModelClient()],
  ['tool-roundtrip', async () => (await import('./tool-roundtrip.js')).benchToolRoundtrip()],
  ['journal', async () => (await import('./journal.js')).runJournalBench()],
  ['sandbox', async () => (await import('./sandbox.js')).runSandboxBench()],
  ['ui-render', async () => (await import('./ui-render.js')).benchUiRender()],
  ['approvals', async () => (await import('./approvals.js')).benchApprovals()],
  ['checkpoints', async () => (await import('./checkpoints.js')).benchCheckpoints()],
  ['rewind-list', async () => (await import('./rewind-list.js')).benchRewindList()],
  ['network-proxy', async () => (await import('./network-proxy.js')).benchNetworkProxy()],
  ['subagents', async () => (await import('./subagents.js')).benchSubagents()],
  ['prefill', async () => (await import('./prefill.js')).benchPrefill(300)],
];

mkdirSync('bench-results', { recursive: true });
const only = process.env.BENCH ? new Set(process.env.BENCH.split(',')) : undefined;
for (const [name, run] of benches) {
  if (only && !only.has(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const result = await run();
  writeFileSync(`bench-results/${name === 'soak' ? `soak-${soakCalls}` : name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
if (targets) process.stdout.write(`\n== targets\n${(await import('./targets.js')).formatTargets(targets, before)}\n`);
