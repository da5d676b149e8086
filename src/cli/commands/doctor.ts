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
import { READ_OUTPUT } from '../../agent/local-tools.js';
import { toToolSpecs } from '../../agent/tool-specs.js';
import { TokenEstimator } from '../../context/tokens.js';
import type { ToolDescriptor } from '../../mcp/types.js';
import { createModelClient } from '../../model/client.js';
import { slotSaving } from '../../model/llama-slots.js';
import type { EndpointInfo } from '../../model/types.js';
import { SYSTEM_PROMPT } from '../runtime.js';
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
  let endpoint: EndpointInfo | undefined;

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
    endpoint = model.endpoint;
    const window = endpoint.contextWindow ? `, context window ${endpoint.contextWindow}` : ', context window not reported (pass --context-window)';
    line('ok', `endpoint ${endpoint.baseURL}: ${endpoint.server} serving ${endpoint.model}${window}`);
    if (endpoint.server === 'llama') await checkSlotSaving(endpoint, settings.apiKey);
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
    checkWindow(settings.contextWindow ?? endpoint?.contextWindow, host.tools());
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

/** llama-server: whether the session's KV cache can be saved and restored (--slot-save-path). */
async function checkSlotSaving(endpoint: EndpointInfo, apiKey: string | undefined): Promise<void> {
  const state = await slotSaving({ baseURL: endpoint.baseURL, ...(apiKey ? { apiKey } : {}) });
  if (state === 'on') line('ok', "slot saving is on: endure saves each session's KV cache and restores it on resume");
  else if (state === 'off')
    line('warn', 'slot saving is off: a resumed session (or a restarted server) prefills its whole prompt again', 'start llama-server with --slot-save-path DIR');
  else line('info', 'slot saving: the server did not say whether it is on (GET /slots disabled?)', 'start llama-server with --slot-save-path DIR');
}

/** The window against endure's own first request (system prompt and tool schemas), estimated in tokens. */
function checkWindow(window: number | undefined, tools: readonly ToolDescriptor[]): void {
  const specs = toToolSpecs([...tools, READ_OUTPUT]);
  const first = new TokenEstimator().estimate(SYSTEM_PROMPT.length + JSON.stringify(specs).length);
  if (window === undefined) return;
  if (window < first)
    line('warn', `the context window (${window} tokens) is smaller than endure's own first request (system prompt and ${specs.length} tool schemas, about ${first} tokens): every run would fail`, 'start the server with a larger context (llama-server -c 32768)');
  else if (window < 4 * first)
    line('warn', `the context window (${window} tokens) leaves little room after endure's first request (about ${first} tokens): expect frequent compactions`, 'give the server a context of 32768 tokens or more');
  else line('ok', `context window ${window} tokens: endure's first request takes about ${first} (${Math.round((100 * first) / window)}%)`);
}

export function registerDoctor(program: Command, setExitCode: (code: number) => void): void {
  const command = new Command('doctor').description('check the endpoint, the tools and the sandbox');
  addRunOptions(command).action(async (flags: RunFlags) => setExitCode(await runDoctor(flags)));
  program.addCommand(command);
}
