/**
 * Custom commands: markdown files whose text becomes a message. The project's
 * `.endure/commands/<name>.md` (from the workspace root down to the cwd, the
 * deeper one winning) and the user's `<config>/endure/commands/<name>.md`; a
 * project file wins over a user file of the same name. `$ARGUMENTS` becomes the
 * text after the name and `$1`…`$9` its words. The text is sent, never run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directoriesDown, workspaceRoot } from './instructions.js';

export interface CustomCommand {
  name: string;
  source: 'project' | 'user';
  file: string;
  /** The template (front matter removed). */
  text: string;
  /** For /help: the front matter's `description`, else the first line. */
  description: string;
  /** Set when the file cannot be used (empty, unreadable); /help lists it with an error mark. */
  error?: string;
}

export interface CustomCommandSources {
  cwd: string;
  /** The user's `<config>/endure` directory. */
  userDir: string;
}

const NAME = /^[A-Za-z][\w-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function readCommand(file: string, name: string, source: CustomCommand['source']): CustomCommand {
  let raw: string;
  try {
    raw = utf8.decode(readFileSync(file));
  } catch (error) {
    const problem = error instanceof TypeError ? 'not UTF-8 text' : `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    return { name, source, file, text: '', description: '', error: problem };
  }
  const { body, description } = frontMatter(raw);
  const text = body.trim();
  if (text === '') return { name, source, file, text: '', description: '', error: 'the file has no text' };
  const first = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return { name, source, file, text, description: clip(description ?? first.replace(/^#+\s*/, '')) };
}

/** A leading `---` block: only `description:` is read; the block is not part of the message. */
function frontMatter(raw: string): { body: string; description?: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(raw);
  if (match === null) return { body: raw };
  const line = match[1]!.split(/\r?\n/).find((entry) => /^description\s*:/.test(entry));
  const description = line?.replace(/^description\s*:\s*/, '').replace(/^["']|["']$/g, '').trim();
  return { body: raw.slice(match[0].length), ...(description ? { description } : {}) };
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 70 ? `${line.slice(0, 69)}…` : line;
}

function commandsIn(dir: string, source: CustomCommand['source']): CustomCommand[] {
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((file) => file.endsWith('.md'));
  } catch {
    return [];
  }
  return names
    .map((file) => ({ file, name: file.slice(0, -'.md'.length) }))
    .filter(({ name }) => NAME.test(name))
    .map(({ file, name }) => readCommand(join(dir, file), name, source));
}

/** Every custom command, by name (project over user, deeper directory over shallower), sorted. */
export function loadCustomCommands(sources: CustomCommandSources): CustomCommand[] {
  const byName = new Map<string, CustomCommand>();
  for (const command of commandsIn(join(sources.userDir, 'commands'), 'user')) byName.set(command.name, command);
  for (const dir of directoriesDown(workspaceRoot(sources.cwd), sources.cwd)) {
    for (const command of commandsIn(join(dir, '.endure', 'commands'), 'project')) byName.set(command.name, command);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The message a command sends: `$ARGUMENTS` → the whole argument text, `$1`…`$9`
 * → its words ('' when missing). A template with no placeholder gets the
 * arguments appended on their own line, so they are never lost.
 */
export function expandCustomCommand(command: CustomCommand, args: string): string {
  const words = args.split(/\s+/).filter((word) => word !== '');
  let used = false;
  const text = command.text.replace(/\$ARGUMENTS|\$([1-9])/g, (_match, index: string | undefined) => {
    used = true;
    return index === undefined ? args : (words[Number(index) - 1] ?? '');
  });
  return used || args === '' ? text : `${text}\n\n${args}`;
}

/** Parses `/name args` (undefined when the text is not a command line). */
export function commandLine(text: string): { name: string; args: string } | undefined {
  const match = /^\/([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match === null ? undefined : { name: match[1]!, args: (match[2] ?? '').trim() };
}
