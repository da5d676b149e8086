/**
 * What a typed task becomes before the model sees it, in `exec` as in the UI:
 * `/name args` expands a custom command, `//text` is the text `/text`, and
 * `@path` mentions attach workspace files. Bad input is a ConfigError (exit 2)
 * in one line, before any session starts.
 */
import { dirname } from 'node:path';
import { commandLine, expandCustomCommand, loadCustomCommands, type CustomCommand } from '../context/custom-commands.js';
import { attachMentions, MentionError } from '../context/mentions.js';
import { userConfigPath } from '../mcp/config.js';
import { ConfigError } from '../shared/errors.js';

/** The user's `<config>/endure` directory (AGENTS.md, commands/). */
export function userEndureDir(env: NodeJS.ProcessEnv): string {
  return dirname(userConfigPath(env));
}

export function customCommandsFor(cwd: string, env: NodeJS.ProcessEnv): CustomCommand[] {
  return loadCustomCommands({ cwd, userDir: userEndureDir(env) });
}

/** Attaches mentions (within `budget` bytes in all); a path outside the workspace is refused with exit 2. */
export function withMentions(text: string, workspace: string, budget?: number): string {
  try {
    return attachMentions(text, workspace, budget === undefined ? {} : { budget });
  } catch (error) {
    if (error instanceof MentionError) throw new ConfigError('mention_outside_workspace', error.message);
    throw error;
  }
}

/** The task with a custom command expanded (`//text` is the text `/text`); '' stays ''. */
export function expandTask(task: string, cwd: string, env: NodeJS.ProcessEnv): string {
  if (task.startsWith('//')) return task.slice(1);
  const line = commandLine(task);
  if (line === undefined) return task;
  const command = customCommandsFor(cwd, env).find((entry) => entry.name === line.name);
  if (command === undefined)
    throw new ConfigError('unknown_command', `no custom command /${line.name}: add .endure/commands/${line.name}.md (or pass //${line.name} to send the text as is)`);
  if (command.error !== undefined) throw new ConfigError('bad_command', `custom command /${line.name} cannot be used: ${command.error} (${command.file})`);
  return expandCustomCommand(command, line.args);
}
