/**
 * Benchmark: the UI's cost per event as the session grows. A realistic event mix
 * (reasoning and answer deltas, tool calls with results, edits with diffs, usage)
 * goes through the real store, React and ink to a fake terminal (a TTY-like stream
 * that discards what it gets). For each measured event, the main thread's busy time
 * (event-loop utilization: React render and commit, layout, the frame ink writes)
 * from dispatch to the end of its frame is its render time; the time ink's frame
 * throttle waits is idle and not counted, and is reported apart as latency. The
 * medians around event 100 and event 10,000 must be the same (flat).
 *
 *   npm run build && node --expose-gc dist/test/bench/ui-render.js [--events N] [--samples N]
 *
 * Run as main it prints the figures and writes bench-results/ui-render.json.
 */
import { restoreNodeEnv } from '../../src/ui/react-production.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { render } from 'ink';
import { createElement } from 'react';
import type { AgentEvent, AgentEventBody } from '../../src/agent/events.js';
import { App } from '../../src/ui/components/app.js';
import type { UiControls } from '../../src/ui/controls.js';
import { initialViewState } from '../../src/ui/state.js';
import { ViewStore } from '../../src/ui/store.js';
import { percentile } from './stats.js';

restoreNodeEnv();

export interface UiRenderBenchOptions {
  /** Where the second window starts. @default 10000 */
  events?: number;
  /** Events measured in each window. @default 200 */
  samples?: number;
  /** Where the first window starts. @default 100 */
  early?: number;
}

export interface UiRenderWindow {
  from: number;
  /** Main-thread busy time per event, dispatch to frame written (median). */
  medianMs: number;
  p90Ms: number;
  /** Wall time from dispatch to frame, including ink's frame throttle (median). */
  latencyMedianMs: number;
  /** Terminal bytes ink wrote per measured event (median). */
  bytesMedian: number;
}

export interface UiRenderBenchResult {
  early: UiRenderWindow;
  late: UiRenderWindow;
  /** late.medianMs / early.medianMs */
  ratio: number;
  finishedItems: number;
  heapUsedMB: number;
  gcForced: boolean;
  node: string;
  /** The React build measured (the UI loads the production build unless NODE_ENV says otherwise). */
  react: 'production' | 'development';
}

class TerminalSink extends Writable {
  readonly isTTY = true;
  readonly columns = 120;
  readonly rows = 40;
  bytes = 0;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    callback();
  }
}

class SilentInput extends Writable {
  readonly isTTY = false;
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}

const benchControls: UiControls = {
  submit() {},
  interrupt() {},
  quitKey() {},
  answer() {},
  describeAlways: () => '',
  acceptsInput: true,
  clock: 'events',
};

/** An endless, realistic session: ~46 events a turn, an edit every 5th turn, a long shell output every 7th. */
export function* eventMix(): Generator<AgentEventBody> {
  for (let turn = 1; ; turn += 1) {
    yield { type: 'turn_start' };
    const reasoning: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const text = `step ${index} of turn ${turn}: check the callers ${index % 7 === 0 ? '\n' : ''}`;
      reasoning.push(text);
      yield { type: 'reasoning_delta', text };
    }
    const content: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const text = `I will look at module ${turn}.${index} `;
      content.push(text);
      yield { type: 'content_delta', text };
    }
    const callId = `call-${turn}`;
    const edit = turn % 5 === 0;
    const shell = turn % 7 === 0;
    const name = edit ? 'edit_file' : shell ? 'run_shell' : 'read_file';
    const args = edit
      ? JSON.stringify({ path: `src/m${turn}.ts`, old_string: `export const v = ${turn};\nexport const w = 1;`, new_string: `export const v = ${turn + 1};\nexport const w = 2;\n// ok` })
      : shell
        ? JSON.stringify({ command: 'npm test' })
        : JSON.stringify({ path: `src/m${turn}.ts` });
    yield { type: 'assistant_message', content: content.join(''), reasoning: reasoning.join(''), toolCalls: [{ id: callId, name, arguments: args }] };
    yield { type: 'tool_start', callId, name, arguments: args };
    const lines = shell ? 200 : 25;
    const output = Array.from({ length: lines }, (_, line) => `${line + 1}\tconst value${line} = compute(${line}, ${turn});`).join('\n');
    yield { type: 'tool_end', callId, name, isError: false, content: edit ? `edited src/m${turn}.ts` : output, durationMs: 3 + (turn % 11) };
    const prompt = 2000 + turn * 150;
    yield {
      type: 'usage',
      usage: { promptTokens: prompt, completionTokens: 120, cachedTokens: prompt - 150 },
      totals: { promptTokens: turn * prompt, completionTokens: turn * 120, cachedTokens: turn * (prompt - 150) },
      contextTokens: prompt + 120,
    };
  }
}

const reactBuild: UiRenderBenchResult['react'] = (process.env['NODE_ENV'] ?? 'production') === 'production' ? 'production' : 'development';
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

export async function benchUiRender(options: UiRenderBenchOptions = {}): Promise<UiRenderBenchResult> {
  const lateFrom = options.events ?? 10_000;
  const samples = options.samples ?? 200;
  const earlyFrom = options.early ?? 100;
  const stdout = new TerminalSink();
  const store = new ViewStore(
    initialViewState({ sessionId: 'bench', model: 'qwen3-coder-30b', server: 'llama', sandbox: 'host', workspace: '/w', contextWindow: 131_072, budgets: { maxTurns: 1000 } }),
    { frameMs: 33 },
  );
  let frameDone: ((at: number) => void) | undefined;
  const instance = render(createElement(App, { store, controls: benchControls, note: 'bench', keys: false }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new SilentInput() as unknown as NodeJS.ReadStream,
    stderr: new TerminalSink() as unknown as NodeJS.WriteStream,
    interactive: true,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 1000,
    onRender: () => frameDone?.(performance.now()),
  });
  store.update((state) => ({ ...state, phase: 'running' }));
  const mix = eventMix();
  let seq = 0;
  const next = (): AgentEvent => {
    seq += 1;
    const body = mix.next().value as AgentEventBody;
    return { session: 'bench', turn: Math.ceil(seq / 46), seq, time: 1_700_000_000_000 + seq * 50, ...body } as AgentEvent;
  };

  async function feedUntil(index: number): Promise<void> {
    while (seq < index) {
      store.dispatch(next());
      if (seq % 25 === 0) {
        store.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    store.flush();
    await tick();
  }

  async function measure(from: number): Promise<UiRenderWindow> {
    await feedUntil(from - 1);
    const times: number[] = [];
    const latencies: number[] = [];
    const bytes: number[] = [];
    for (let index = 0; index < samples; index += 1) {
      const event = next();
      const before = stdout.bytes;
      const frame = new Promise<number>((resolve) => {
        frameDone = resolve;
      });
      const busyBefore = performance.eventLoopUtilization();
      const start = performance.now();
      store.dispatch(event);
      store.flush();
      const end = await frame;
      const busy = performance.eventLoopUtilization(busyBefore);
      frameDone = undefined;
      times.push(busy.active);
      latencies.push(end - start);
      bytes.push(stdout.bytes - before);
      await tick();
    }
    for (const list of [times, latencies, bytes]) list.sort((a, b) => a - b);
    return {
      from,
      medianMs: round(percentile(times, 50)),
      p90Ms: round(percentile(times, 90)),
      latencyMedianMs: round(percentile(latencies, 50)),
      bytesMedian: percentile(bytes, 50),
    };
  }

  const early = await measure(earlyFrom);
  const late = await measure(lateFrom);
  const finishedItems = store.state.finished.count;
  instance.unmount();
  await instance.waitUntilExit();
  store.dispose();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return {
    early,
    late,
    ratio: round(late.medianMs / early.medianMs, 2),
    finishedItems,
    heapUsedMB: round(process.memoryUsage().heapUsed / 1_048_576, 1),
    gcForced: gc !== undefined,
    node: process.version,
    react: reactBuild,
  };
}

function flag(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : Number(process.argv[index + 1]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = flag('events');
  const samples = flag('samples');
  const result = await benchUiRender({ ...(events === undefined ? {} : { events }), ...(samples === undefined ? {} : { samples }) });
  console.log(
    `ui render per event: ${result.early.medianMs} ms at event ${result.early.from} (p90 ${result.early.p90Ms}), ` +
      `${result.late.medianMs} ms at event ${result.late.from} (p90 ${result.late.p90Ms}); ratio ${result.ratio}; ` +
      `latency ${result.early.latencyMedianMs} → ${result.late.latencyMedianMs} ms; ` +
      `${result.finishedItems} finished items; heap ${result.heapUsedMB} MB`,
  );
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ui-render.json'), `${JSON.stringify(result, null, 2)}\n`);
}
