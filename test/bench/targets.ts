/**
 * The three figures of the targets table that depend on how endure is
 * launched, measured for every launcher next to the bare loop in the same run
 * (the machine is shared: read endure against the floor, not alone):
 * start-up (exec's first request, the UI's first frame), runtime overhead per
 * turn ((wall − server time) / N, read workload) and peak RSS of the process
 * tree. Each figure is the median of `runs` runs; the soak's per-tenth gap
 * table comes from the median run of the first launcher. Next to each
 * launcher's start-up, the launcher alone (a no-op package started the same
 * way) and endure's own share, the difference.
 *
 *   node dist/test/bench/targets.js [N] [runs]     (N = 1000, runs = 3)
 *   BENCH_LAUNCHERS=node …                          only `node dist/src/cli/main.js`
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prepareLaunchers } from './launchers.js';
import { benchSoak, type SoakResult } from './soak.js';
import { benchStartup, type StartupResult } from './startup.js';
import { median } from './stats.js';

export const TARGETS = { startupMs: 300, overheadPerTurnMs: 3.5, peakRssMb: 150 };

export interface LauncherFigures {
  launcher: string;
  execStartupMs: number;
  uiStartupMs: number;
  /** The launcher alone, spawn to exit of a no-op package started the same way (StartupFigures); absent from results older than it. */
  launcherFloorMs?: number;
  /** The same through the UI's pseudo-terminal. */
  uiLauncherFloorMs?: number;
  overheadPerTurnMs: number;
  /** endure's own CPU time per turn (user + system): what the machine's load moves least. */
  cpuPerTurnMs?: number;
  medianGapMs: number;
  peakRssMb: number;
  heapUsedMb?: number;
}

export interface TargetsResult {
  toolCalls: number;
  runs: number;
  load: string;
  bareLoop: { startupMs: number; overheadPerTurnMs: number; medianGapMs: number; peakRssMb: number };
  launchers: LauncherFigures[];
  gapByTenthMs: { endure: number[]; bareLoop: number[] };
  startup: StartupResult;
}

const medianRun = (results: SoakResult[]) => [...results].sort((a, b) => a.overheadPerTurnMs - b.overheadPerTurnMs)[Math.floor(results.length / 2)]!;

function loadAverage(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average: /, '');
  } catch {
    return 'unknown';
  }
}

export async function benchTargets(toolCalls = 1000, runs = 3, log: (line: string) => void = () => {}): Promise<TargetsResult> {
  const load = loadAverage();
  const prepared = prepareLaunchers(process.env.BENCH_LAUNCHERS === 'node' ? 'node' : 'all');
  try {
    const startup = await benchStartup(runs, prepared.all);
    const bare: SoakResult[] = [];
    const perLauncher = new Map<string, SoakResult[]>(prepared.all.map((launcher) => [launcher.name, []]));
    // Interleaved, so a burst of load on the machine spreads over all of them.
    for (let run = 0; run < runs; run++) {
      bare.push(await benchSoak(toolCalls, { mix: 'reads', client: 'bare' }));
      for (const launcher of prepared.all) {
        const result = await benchSoak(toolCalls, { mix: 'reads', launcher });
        perLauncher.get(launcher.name)!.push(result);
        log(`  run ${run + 1}/${runs} ${launcher.name}: ${result.overheadPerTurnMs} ms a turn, ${result.peakRssMb} MB (bare loop ${bare.at(-1)!.overheadPerTurnMs} ms, ${bare.at(-1)!.peakRssMb} MB)`);
      }
    }
    const launchers = prepared.all.map((launcher): LauncherFigures => {
      const results = perLauncher.get(launcher.name)!;
      const started = startup.launchers.find((figures) => figures.launcher === launcher.name)!;
      const heaps = results.flatMap((result) => (result.heapUsedMb === undefined ? [] : [result.heapUsedMb]));
      const cpus = results.flatMap((result) => (result.cpuPerTurnMs === undefined ? [] : [result.cpuPerTurnMs]));
      return {
        launcher: launcher.name,
        execStartupMs: started.execMs,
        uiStartupMs: started.uiMs,
        launcherFloorMs: started.launcherFloorMs,
        uiLauncherFloorMs: started.uiLauncherFloorMs,
        overheadPerTurnMs: median(results.map((result) => result.overheadPerTurnMs)),
        ...(cpus.length ? { cpuPerTurnMs: median(cpus) } : {}),
        medianGapMs: median(results.map((result) => result.overheadMs.all.median)),
        peakRssMb: median(results.map((result) => result.peakRssMb)),
        ...(heaps.length ? { heapUsedMb: median(heaps) } : {}),
      };
    });
    return {
      toolCalls,
      runs,
      load,
      bareLoop: {
        startupMs: startup.bareLoopMs,
        overheadPerTurnMs: median(bare.map((result) => result.overheadPerTurnMs)),
        medianGapMs: median(bare.map((result) => result.overheadMs.all.median)),
        peakRssMb: median(bare.map((result) => result.peakRssMb)),
      },
      launchers,
      gapByTenthMs: { endure: medianRun(perLauncher.get(prepared.all[0]!.name)!).gapByTenthMs, bareLoop: medianRun(bare).gapByTenthMs },
      startup,
    };
  } finally {
    prepared.dispose();
  }
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

/** "exec / UI ms", or nothing when a figure is missing (a result from before the launcher floors). */
const pair = (exec: number | undefined, ui: number | undefined) => (exec === undefined || ui === undefined ? '' : `${exec.toFixed(0)} / ${ui.toFixed(0)} ms`);

/** endure's own share of a start-up: the total less the launcher alone. */
const own = (total: number, alone: number | undefined) => (alone === undefined ? undefined : total - alone);

const COLUMNS: [title: string, width: number][] = [
  ['exec start', 12],
  ['UI start', 10],
  ['launcher alone', 16],
  ["endure's own", 15],
  ['ms/turn', 9],
  ['CPU/turn', 9],
  ['gap', 7],
  ['peak RSS', 10],
];

const line = (name: string, cells: (string | number)[]) => `${name.padEnd(28)}${cells.map((cell, i) => pad(cell, COLUMNS[i]![1])).join('')}`;

const row = (name: string, figures: LauncherFigures) =>
  line(name, [
    `${figures.execStartupMs.toFixed(0)} ms`,
    `${figures.uiStartupMs.toFixed(0)} ms`,
    pair(figures.launcherFloorMs, figures.uiLauncherFloorMs),
    pair(own(figures.execStartupMs, figures.launcherFloorMs), own(figures.uiStartupMs, figures.uiLauncherFloorMs)),
    figures.overheadPerTurnMs,
    figures.cpuPerTurnMs ?? '',
    figures.medianGapMs,
    `${figures.peakRssMb.toFixed(0)} MB`,
  ]);

/** The launchers that cannot meet the start-up target whatever they start: alone, they take longer. */
function overTargetAlone(result: TargetsResult): string[] {
  return result.launchers.flatMap((figures) => {
    const alone = Math.max(figures.launcherFloorMs ?? 0, figures.uiLauncherFloorMs ?? 0);
    const both = pair(figures.launcherFloorMs, figures.uiLauncherFloorMs);
    return alone > TARGETS.startupMs ? [`${figures.launcher}: the launcher alone takes ${both}, over the ${TARGETS.startupMs} ms target before endure starts`] : [];
  });
}

/**
 * The figures next to the targets, one row per launcher, then the per-tenth gap table.
 * `before`: the previous run's result (bench-results/targets.json), shown under each launcher's row.
 */
export function formatTargets(result: TargetsResult, before?: TargetsResult): string {
  const lines = [
    `targets at N = ${result.toolCalls} (read workload), median of ${result.runs} runs, load average ${result.load}`,
    ...(before ? [`before: the previous run (bench-results/targets.json), load average ${before.load}`] : []),
    line('launcher', COLUMNS.map(([title]) => title)),
    line('target', [`≤ ${TARGETS.startupMs} ms`, `≤ ${TARGETS.startupMs} ms`, '', '', `≤ ${TARGETS.overheadPerTurnMs}`, '', '', `≤ ${TARGETS.peakRssMb} MB`]),
    line('bare loop', [`${result.bareLoop.startupMs} ms`, '', '', '', result.bareLoop.overheadPerTurnMs, '', result.bareLoop.medianGapMs, `${result.bareLoop.peakRssMb.toFixed(0)} MB`]),
  ];
  for (const figures of result.launchers) {
    lines.push(row(figures.launcher, figures));
    const earlier = before?.launchers.find((other) => other.launcher === figures.launcher);
    if (earlier) lines.push(row('  before', earlier));
  }
  lines.push(
    'launcher alone: the same launcher starting a no-op Node package installed the same way, spawn to exit,',
    "  exec / UI: directly / through the UI's pseudo-terminal; endure's own: start − launcher alone.",
    ...overTargetAlone(result),
  );
  lines.push('', 'median gap per tenth of the calls (ms), first → last');
  lines.push(`${'tenth'.padEnd(12)}${Array.from({ length: 10 }, (_, i) => pad(i + 1, 7)).join('')}`);
  lines.push(`${'endure'.padEnd(12)}${result.gapByTenthMs.endure.map((gap) => pad(gap.toFixed(2), 7)).join('')}`);
  lines.push(`${'bare loop'.padEnd(12)}${result.gapByTenthMs.bareLoop.map((gap) => pad(gap.toFixed(2), 7)).join('')}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchTargets(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 3), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${formatTargets(result)}\n`);
}
