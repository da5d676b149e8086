/**
 * `endure doctor`: the endpoint, the tools and the sandbox, each failure with
 * its fix. Exits 0 when the endpoint answers and the chosen sandbox starts;
 * everything else it finds is a warning (cli.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { createSandbox } from '../../../sandboxes/index.js';
import { diagnoseSandboxes, type CheckStatus } from '../../../sandboxes/diagnose.js';
import { defaultBuiltins } from '../../mcp/builtin-servers.js';
import { createToolHost } from '../../mcp/host.js';
import { createModelClient } from '../../model/client.js';
import { oneLine } from '../../shared/errors.js';
import { EXIT } from '../exit-codes.js';
import { addRunOptions } from '../run-options.js';
import { resolveSettings, type RunFlags } from '../settings.js';

const MARK: Record<CheckStatus, string> = { ok: '✓', info: '·', warn: '!', fail: '✗' };

function line(status: CheckStatus, text: string, fix?: string): void {
  process.stdout.write(`${MARK[status]} ${text}\n`);
  if (fix) process.stdout.write(`    fix: ${fix}\n`);
}

export async function runDoctor(flags: RunFlags): Promise<number> {
  const settings = resolveSettings(flags, 'exec');
  let healthy = true;

  try {
    const model = await createModelClient({
      baseURL: settings.baseURL,
      server: settings.server,
      thinking: settings.thinking,
      retryBudgetMs: Math.min(settings.retryBudgetMs, 5_000),
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      ...(settings.apiKeyVariable ? { apiKeyVariable: settings.apiKeyVariable } : {}),
      ...(settings.model ? { model: settings.model } : {}),
    });
    const { endpoint } = model;
    const window = endpoint.contextWindow ? `, context window ${endpoint.contextWindow}` : ', context window not reported (pass --context-window)';
    line('ok', `endpoint ${endpoint.baseURL}: ${endpoint.server} serving ${endpoint.model}${window}`);
  } catch (error) {
    healthy = false;
    line('fail', `endpoint ${settings.baseURL}: ${oneLine(error)}`, 'start the server, or pass --base-url (see the README for each server)');
  }

  const diagnosis = await diagnoseSandboxes();
  for (const check of diagnosis.checks) line(check.status === 'fail' && settings.sandbox !== 'bwrap' ? 'warn' : check.status, check.summary, check.fix);
  const kind = settings.sandbox ?? (diagnosis.bwrapWorks ? 'bwrap' : 'host');
  if (settings.sandbox === 'bwrap' && !diagnosis.bwrapWorks) healthy = false;
  if (!settings.sandbox && !diagnosis.bwrapWorks)
    line('warn', 'without bubblewrap, tools run unconfined on the host (only their own path checks apply)', 'fix the bwrap check above, or pass --sandbox host knowingly');

  const workspace = mkdtempSync(join(tmpdir(), 'endure-doctor-tools-'));
  try {
    const sandbox = createSandbox(kind, { workspace, network: settings.network });
    await sandbox.prepare();
    const started = performance.now();
    const host = await createToolHost({
      projectRoot: workspace,
      builtins: defaultBuiltins({ root: workspace }),
      ...(kind === 'host' ? {} : { sandbox }),
      onWarning: (message) => line('warn', message),
    });
    const count = host.tools().length;
    line('ok', `sandbox ${kind}: built-in tool servers started (${count} tools, ${Math.round(performance.now() - started)} ms)`);
    await host.close();
    await sandbox.dispose();
  } catch (error) {
    healthy = false;
    line('fail', `sandbox ${kind}: the tool servers did not start: ${oneLine(error)}`, 'see the checks above');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  return healthy ? EXIT.done : EXIT.failed;
}

export function registerDoctor(program: Command, setExitCode: (code: number) => void): void {
  const command = new Command('doctor').description('check the endpoint, the tools and the sandbox');
  addRunOptions(command).action(async (flags: RunFlags) => setExitCode(await runDoctor(flags)));
  program.addCommand(command);
}
