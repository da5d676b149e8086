/**
 * Runs the composite action in action.yml the way a GitHub runner does, on
 * this machine: each `run:` step is written to a file and run with
 * `bash --noprofile --norc -eo pipefail`, its `${{ ... }}` expressions
 * substituted (inputs with their defaults, github.action_path, runner.temp),
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV / GITHUB_PATH as files (a
 * fresh output file per step; GITHUB_ENV and GITHUB_PATH reach later steps),
 * stopping at the first step that fails. `uses:` steps (actions/setup-node)
 * are not run: the test's own Node 22 stands in for them. The action's outputs
 * are then evaluated from the steps' outputs. An expression the harness does
 * not know throws, so the action cannot grow one this test does not cover.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../support/e2e-fixtures.js';

interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

export interface ActionFile {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(): ActionFile {
  return parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as ActionFile;
}

export interface StepRun {
  name: string;
  skipped?: string;
  code?: number;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  steps: StepRun[];
  /** The action's outputs (its `outputs:` evaluated). */
  outputs: Record<string, string>;
  summary: string;
  /** The exit code of the last step run (0 when all passed). */
  code: number;
  /** Directories the steps added to GITHUB_PATH (for a later job that reuses the install). */
  path: string[];
}

export interface JobOptions {
  inputs: Record<string, string>;
  /** The checkout (GITHUB_WORKSPACE); steps run there. */
  workspace: string;
  /** This job's RUNNER_TEMP (a new job gets a new one). */
  runnerTemp: string;
  /** The environment every step starts from (PATH with Node 22 first, HOME...). */
  env: Record<string, string>;
  /** Steps not to run, by name (a later job reusing an earlier job's install). */
  skip?: string[];
}

/** Parses GITHUB_OUTPUT / GITHUB_ENV syntax: `name=value` and `name<<DELIM` heredocs. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`unterminated heredoc for ${heredoc[1]}`);
      values[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

function substitute(text: string, context: (expression: string) => string): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => context(expression));
}

/** A step's time limit, as a job's `timeout-minutes` would be: its process group is killed after it. */
const STEP_TIMEOUT_MS = 240_000;

function runBash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      stderr += `\n[the step ran over ${STEP_TIMEOUT_MS / 1000} s and was killed]\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, STEP_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

export async function runActionJob(options: JobOptions): Promise<ActionRun> {
  const action = readAction();
  const files = join(options.runnerTemp, '_runner_file_commands');
  mkdirSync(files, { recursive: true });
  const summaryFile = join(files, 'step_summary');
  const envFile = join(files, 'env');
  const pathFile = join(files, 'path');
  for (const file of [summaryFile, envFile, pathFile]) writeFileSync(file, '');

  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = options.inputs[name] ?? spec.default ?? '';
  for (const name of Object.keys(options.inputs)) if (!(name in action.inputs)) throw new Error(`action.yml has no input "${name}"`);
  const stepOutputs: Record<string, Record<string, string>> = {};
  const context = (expression: string): string => {
    let match: RegExpExecArray | null;
    if ((match = /^inputs\.([\w-]+)$/.exec(expression))) {
      if (!(match[1]! in inputs)) throw new Error(`unknown input in \${{ ${expression} }}`);
      return inputs[match[1]!]!;
    }
    if (expression === 'github.action_path') return repoRoot;
    if (expression === 'github.workspace') return options.workspace;
    if (expression === 'runner.temp') return options.runnerTemp;
    if ((match = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression))) return stepOutputs[match[1]!]?.[match[2]!] ?? '';
    throw new Error(`the action harness does not know \${{ ${expression} }}`);
  };

  const steps: StepRun[] = [];
  let code = 0;
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? `step ${index + 1}`;
    if (step.uses) {
      steps.push({ name, skipped: `uses ${step.uses}`, stdout: '', stderr: '' });
      continue;
    }
    if (options.skip?.includes(name)) {
      steps.push({ name, skipped: 'skipped by the test', stdout: '', stderr: '' });
      continue;
    }
    if (step.shell !== 'bash') throw new Error(`step "${name}" must use shell: bash`);
    const outputFile = join(files, `set_output_${index}`);
    writeFileSync(outputFile, '');
    const added = readFileSync(pathFile, 'utf8').split('\n').filter(Boolean).reverse();
    const env: Record<string, string> = {
      ...options.env,
      ...parseCommandFile(readFileSync(envFile, 'utf8')),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_ACTION_PATH: repoRoot,
      RUNNER_TEMP: options.runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ENV: envFile,
      GITHUB_PATH: pathFile,
    };
    env.PATH = [...added, env.PATH].join(':');
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = substitute(String(value), context);
    const script = join(files, `step_${index}.sh`);
    writeFileSync(script, substitute(step.run!, context));
    const result = await runBash(script, options.workspace, env);
    steps.push({ name, code: result.code, stdout: result.stdout, stderr: result.stderr });
    if (step.id) stepOutputs[step.id] = parseCommandFile(readFileSync(outputFile, 'utf8'));
    if (result.code !== 0) {
      code = result.code;
      break;
    }
  }

  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.outputs)) outputs[name] = substitute(spec.value, context);
  return {
    steps,
    outputs,
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '',
    code,
    path: readFileSync(pathFile, 'utf8').split('\n').filter(Boolean),
  };
}
