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
import { createDriver } from '../driver.js';
import { addRunOptions } from '../run-options.js';
import { openRuntime } from '../runtime.js';
import { resolveSettings, type RunFlags } from '../settings.js';
import { mentionBudget } from '../../context/mentions.js';
import { customCommandsFor, withMentions } from '../task-text.js';

async function interactive(flags: RunFlags, task: string, resume?: string): Promise<number> {
  const settings = resolveSettings(flags, 'ui');
  const warnings: string[] = [...settings.warnings];
  const customCommands = customCommandsFor(settings.cwd, process.env);
  // A task that the prompt box will expand (a command, a mention) is recorded by its first message instead.
  const recorded = task.startsWith('/') || task.includes('@') ? '' : task;
  // Ink and React load while the runtime waits on the model server and git (the first frame comes sooner).
  const loadingUi = import('../../ui/interactive.js');
  loadingUi.catch(() => undefined);
  const runtime = await openRuntime({ settings, task: recorded, ...(resume ? { resume } : {}), warn: (message) => warnings.push(message) });
  for (const warning of warnings) process.stderr.write(`endure: warning: ${warning}\n`);
  const { runInteractive } = await loadingUi;
  const controller = new AbortController();
  const onTerm = () => controller.abort();
  process.once('SIGTERM', onTerm);
  try {
    const reopen = (warn: (message: string) => void) => openRuntime({ settings, task: '', warn });
    const driver = createDriver(runtime, settings, { reopen });
    return await runInteractive(driver, {
      ...(task ? { initialTask: task } : {}),
      customCommands,
      prepareMessage: (text) => withMentions(text, driver.info.workspace, mentionBudget(driver.info.contextWindow)),
      ...(runtime.resumed ? { history: runtime.session.records } : {}),
      approvalPolicy: settings.approval.policy,
      signal: controller.signal,
    });
  } finally {
    process.off('SIGTERM', onTerm);
  }
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
