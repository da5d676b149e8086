/**
 * `npm run bench`: every benchmark of the project, one after another, each
 * printing its figures and writing bench-results/<name>.json. The soak runs at
 * N = 1,000 by default; `npm run bench -- 10000` runs the long one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

type Bench = [name: string, run: () => Promise<unknown>];

const soakCalls = Number(process.argv[2] ?? 1000);
const benches: Bench[] = [
  ['first-request', async () => (await import('./first-request.js')).benchFirstRequest()],
  ['soak', async () => (await import('./soak.js')).benchSoak(soakCalls)],
  ['model-client', async () => (await import('./model-client.js')).benchModelClient()],
  ['tool-roundtrip', async () => (await import('./tool-roundtrip.js')).benchToolRoundtrip()],
  ['journal', async () => (await import('./journal.js')).runJournalBench()],
  ['sandbox', async () => (await import('./sandbox.js')).runSandboxBench()],
  ['ui-render', async () => (await import('./ui-render.js')).benchUiRender()],
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
