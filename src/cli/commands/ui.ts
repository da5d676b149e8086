/**
 * The interactive commands: `endure [task]`, `endure resume [id]` (a picker
 * without an id) and `endure replay <session|file>`. Ink and React are loaded
 * only here, never by `exec`.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { readJournal } from '../../../sessions/journal-reader.js';
import { resolveHome, sessionPaths } from '../../../sessions/home.js';
import { SessionStore } from '../../../sessions/store.js';
import { ConfigError } from '../../shared/errors.js';
import type { DriverOptions } from '../driver.js';
import { openingDriver } from '../opening-driver.js';
import { addRunOptions } from '../run-options.js';
import { resolveSettings, type RunFlags, type Settings } from '../settings.js';
import { mentionBudget } from '../../context/mentions.js';
import { customCommandsFor, withMentions } from '../task-text.js';
import type { SessionDriver } from '../../agent/controls.js';
import type { InteractiveOptions } from '../../ui/interactive.js';

async function interactive(flags: RunFlags, task: string, resume?: string): Promise<number> {
  const settings = resolveSettings(flags, 'ui');
  const customCommands = customCommandsFor(settings.cwd, process.env);
  // A task that the prompt box will expand (a command, a mention) is recorded by its first message instead.
  const recorded = task.startsWith('/') || task.includes('@') ? '' : task;
  const reopen = async (warn: (message: string) => void) => (await import('../runtime.js')).openRuntime({ settings, task: '', warn });
  const controller = new AbortController();
  // What the UI gets however its session opens; mentions are read in the driver's workspace.
  const uiOptions = (driver: SessionDriver): InteractiveOptions => ({
    ...(task ? { initialTask: task } : {}),
    customCommands,
    prepareMessage: (text) => withMentions(text, driver.info.workspace, mentionBudget(driver.info.contextWindow)),
    approvalPolicy: settings.approval.policy,
    signal: controller.signal,
  });
  const onTerm = () => controller.abort();
  process.once('SIGTERM', onTerm);
  try {
    // A resumed view starts from the journal, and a worktree is the workspace mentions read: both open first.
    if (resume || settings.worktree) return await openedFirst(settings, resume, recorded, reopen, uiOptions);
    // The prompt box comes first, and takes input while the runtime opens.
    const { runInteractive } = await import('../../ui/interactive.js');
    const driver = openingDriver({
      provisional: {
        sessionId: '…',
        model: settings.model ?? 'model …',
        server: `connecting to ${settings.baseURL}`,
        sandbox: settings.sandbox ?? '…',
        workspace: settings.cwd,
        budgets: settings.budgets,
      },
      recentSessions: (limit) => new SessionStore({ home: resolveHome(process.env) }).list().slice(0, limit),
      // The runtime's modules (the loop, the model client) load after the first frame.
      open: async (steering, warn, signal) => {
        for (const warning of settings.warnings) warn(warning);
        const [{ openRuntime }, { createDriver }] = await Promise.all([import('../runtime.js'), import('../driver.js')]);
        const runtime = await openRuntime({ settings, task: recorded, warn, signal });
        return createDriver(runtime, settings, { reopen, steering });
      },
    });
    const code = await runInteractive(driver, { ...uiOptions(driver), opening: driver.whenOpen });
    // A runtime that failed to open ended the UI: its error is the command's (one line, its exit code).
    await driver.whenOpen;
    return code;
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

/** The runtime opens before the UI: for a resumed session (its view starts from the journal) and a worktree. */
async function openedFirst(
  settings: Settings,
  resume: string | undefined,
  /** The task as recorded in session_start. */
  recorded: string,
  reopen: DriverOptions['reopen'],
  uiOptions: (driver: SessionDriver) => InteractiveOptions,
): Promise<number> {
  const warnings: string[] = [...settings.warnings];
  // Ink and React load while the runtime waits on the model server and git.
  const loadingUi = import('../../ui/interactive.js');
  loadingUi.catch(() => undefined);
  const [{ openRuntime }, { createDriver }] = await Promise.all([import('../runtime.js'), import('../driver.js')]);
  const runtime = await openRuntime({ settings, task: recorded, ...(resume ? { resume } : {}), warn: (message) => warnings.push(message) });
  for (const warning of warnings) process.stderr.write(`endure: warning: ${warning}\n`);
  const { runInteractive } = await loadingUi;
  const driver = createDriver(runtime, settings, { ...(reopen ? { reopen } : {}) });
  return runInteractive(driver, { ...uiOptions(driver), ...(resume ? { history: runtime.session.history() } : {}) });
}

export function registerUi(program: Command, setExitCode: (code: number) => void): void {
  addRunOptions(program)
    .argument('[task...]', 'the task (or type it in the prompt box)')
    .action(async (words: string[], flags: RunFlags) => {
      setExitCode(await interactive(flags, words.join(' ').trim()));
    });

  const resume = new Command('resume')
    .description('continue a session in the UI (no id: pick one)')
    .argument('[id]', 'session id, unique prefix, or last');
  addRunOptions(resume).action(async (id: string | undefined, flags: RunFlags) => {
    let chosen = id;
    if (!chosen) {
      const sessions = new SessionStore({ home: resolveHome(process.env) }).list();
      if (sessions.length === 0) throw new ConfigError('no_sessions', 'there are no sessions to resume; start one with endure "<task>"');
      const { pickSession } = await import('../../ui/pick-session.js');
      chosen = await pickSession(sessions.map((s) => ({ id: s.id, status: s.status, task: s.task, lastActivity: s.lastActivity })));
      if (!chosen) return;
    }
    setExitCode(await interactive(flags, '', chosen));
  });
  program.addCommand(resume);

  program
    .command('replay')
    .description('play a recorded journal through the UI')
    .argument('<session>', 'a session id (or last), or a journal.jsonl file')
    .option('--speed <x>', 'time scale: 2 is twice as fast, 0 as fast as possible', '1')
    .action(async (ref: string, flags: { speed: string }) => {
      let file = ref;
      if (!existsSync(ref)) {
        const home = resolveHome(process.env);
        file = sessionPaths(home, new SessionStore({ home }).resolve(ref)).journal;
      }
      const { records, torn } = readJournal(file);
      if (torn) process.stderr.write(`endure: the journal's last line is torn (${torn.bytes} bytes); replaying up to it\n`);
      const { runReplay } = await import('../../ui/replay.js');
      setExitCode(await runReplay(records, { speed: Number(flags.speed) }));
    });
}
