/**
 * CI's smoke run of the soak benchmark: `benchSoak(1000)` from the compiled
 * bench (dist/test/bench/soak.js, so `npm run build` first) drives the real
 * `endure exec` through 1,000 tool calls against the scripted server. Only
 * correctness is asserted here, never timings: the run ends done, every call of
 * the plan ran, every pair of requests between compactions extends byte for
 * byte, compactions happened, the resume worked, and the first request is lean.
 *
 * The start-up smoke run: the no-op package behind the launcher floors installs
 * and starts all four ways (npx finds it without fetching anything), the
 * start-up bench reports the launcher alone next to endure's figures, and the
 * targets table prints it, with endure's own share, also next to a previous
 * result that predates the floors.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type * as Launchers from './bench/launchers.js';
import type { SoakResult } from './bench/soak.js';
import type * as Startup from './bench/startup.js';
import type * as Targets from './bench/targets.js';

const COMPILED = fileURLToPath(new URL('../dist/test/bench/soak.js', import.meta.url));
const compiled = <T>(name: string) => import(fileURLToPath(new URL(`../dist/test/bench/${name}.js`, import.meta.url))) as Promise<T>;
const CALLS = 1000;

test(`soak smoke: ${CALLS} tool calls through the real CLI`, { timeout: 300_000 }, async () => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run 'npm run build' before the bench smoke test`);
  const { benchSoak } = (await import(COMPILED)) as { benchSoak: (toolCalls: number) => Promise<SoakResult> };
  const result = await benchSoak(CALLS);

  expect(result.exitCode).toBe(0);
  // One loop request per call of the plan, plus the final answer: every call ran.
  const loopRequests = 1 + result.prefix.pairs + result.prefix.breaksAtCompaction;
  expect(loopRequests).toBe(CALLS + 1);
  expect(result.prefix.extending).toBe(result.prefix.pairs);
  expect(result.prefix.minRatio).toBeGreaterThan(0.9);
  expect(result.compactions).toBeGreaterThan(0);
  expect(result.prefix.breaksAtCompaction).toBe(result.compactions);
  expect(Number.isFinite(result.resumeMs)).toBe(true);
  expect(result.resumeMs).toBeGreaterThan(0);
  expect(result.firstRequest.bytes).toBeLessThan(15 * 1024);
  expect(result.journal?.bytes).toBeGreaterThan(0);
});

test('start-up smoke: each launcher alone, then endure next to it in the targets table', { timeout: 120_000 }, async () => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run 'npm run build' before the bench smoke test`);
  const { prepareFloors, prepareLaunchers } = await compiled<typeof Launchers>('launchers');
  const { benchStartup, toExit, toExitInTerminal } = await compiled<typeof Startup>('startup');
  const { formatTargets } = await compiled<typeof Targets>('targets');

  // Each way exits 0 or throws with its stderr: the global bin, npx --no-install and npm run all find the no-op package.
  const floors = prepareFloors();
  try {
    expect(floors.all.map((launcher) => launcher.name)).toEqual(['node noop.js', 'global bin', 'npx endure-bench-noop', 'npm run noop']);
    for (const { command, args, env } of floors.all) {
      expect(await toExit(command, args, env ?? process.env, process.cwd())).toBeGreaterThan(0);
      expect(await toExitInTerminal(command, args, env ?? process.env, process.cwd())).toBeGreaterThan(0);
    }
  } finally {
    floors.dispose();
  }

  const launchers = prepareLaunchers('node');
  let startup: Startup.StartupResult;
  try {
    startup = await benchStartup(1, launchers.all);
  } finally {
    launchers.dispose();
  }
  const [node] = startup.launchers;
  expect(node!.launcher).toBe('node dist/src/cli/main.js');
  expect(node!.launcherFloorMs).toBeGreaterThan(0);
  expect(node!.uiLauncherFloorMs).toBeGreaterThan(0);
  expect(node!.launcherFloorRunsMs).toHaveLength(1);

  const soakFigures = { overheadPerTurnMs: 7.5, medianGapMs: 3, peakRssMb: 90 };
  const figures: Targets.LauncherFigures = {
    launcher: node!.launcher,
    execStartupMs: node!.execMs,
    uiStartupMs: node!.uiMs,
    launcherFloorMs: node!.launcherFloorMs,
    uiLauncherFloorMs: node!.uiLauncherFloorMs,
    ...soakFigures,
  };
  const npx: Targets.LauncherFigures = { launcher: 'npx endure', execStartupMs: 450, uiStartupMs: 520, launcherFloorMs: 320, uiLauncherFloorMs: 340, ...soakFigures };
  const result: Targets.TargetsResult = {
    toolCalls: 1000,
    runs: 1,
    load: '1.00',
    bareLoop: { startupMs: 90, ...soakFigures },
    launchers: [figures, npx],
    gapByTenthMs: { endure: Array(10).fill(3), bareLoop: Array(10).fill(2) },
    startup,
  };
  // The previous run's JSON, written before the floors were measured.
  const before = JSON.parse(JSON.stringify({ ...result, launchers: [{ ...npx, launcherFloorMs: undefined, uiLauncherFloorMs: undefined }] })) as Targets.TargetsResult;
  const table = formatTargets(result, before);
  const rows = table.split('\n');
  expect(rows.find((row) => row.startsWith('launcher '))).toContain('launcher alone');
  expect(rows.find((row) => row.startsWith('launcher '))).toContain("endure's own");
  const own = (total: number, alone: number) => (total - alone).toFixed(0);
  expect(rows.find((row) => row.startsWith('node dist/src/cli/main.js'))).toContain(
    `${node!.launcherFloorMs.toFixed(0)} / ${node!.uiLauncherFloorMs.toFixed(0)} ms`,
  );
  expect(rows.find((row) => row.startsWith('node dist/src/cli/main.js'))).toContain(`${own(node!.execMs, node!.launcherFloorMs)} / ${own(node!.uiMs, node!.uiLauncherFloorMs)} ms`);
  expect(rows.find((row) => row.startsWith('npx endure'))).toContain('320 / 340 ms');
  expect(rows.find((row) => row.startsWith('npx endure'))).toContain('130 / 180 ms');
  expect(table).toContain('npx endure: the launcher alone takes 320 / 340 ms, over the 300 ms target before endure starts');
  expect(table).not.toContain('node dist/src/cli/main.js: the launcher alone');
  const beforeRow = rows[rows.findIndex((row) => row.startsWith('npx endure')) + 1]!;
  expect(beforeRow).toMatch(/^ {2}before +450 ms +520 ms +7\.5/);
  expect(table).not.toContain('NaN');
});
