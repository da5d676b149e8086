/**
 * Project instructions: the AGENTS.md files users bring from other agents, read
 * once at session start into the system prompt (so the prompt prefix stays the
 * same for the whole session and the server's cache keeps serving it). Order:
 * the user's own `<config>/endure/AGENTS.md`, then one file per directory from
 * the workspace root (the git root, else the cwd) down to the cwd. A directory
 * without AGENTS.md falls back to QWEN.md, then CLAUDE.md. The files are text
 * for the model only; nothing in them runs.
 */
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** @default 32 KB of instruction text in all; the rest is cut with a note. */
export const MAX_INSTRUCTION_BYTES = 32 * 1024;

/** Per directory, the first of these that exists is read. */
export const INSTRUCTION_FILE_NAMES = ['AGENTS.md', 'QWEN.md', 'CLAUDE.md'] as const;

export interface InstructionSources {
  /** The directory the session works in. */
  cwd: string;
  /** The user's `<config>/endure` directory. */
  userDir: string;
  /** The user's home, shown as `~` in file labels. */
  home?: string;
  /** @default MAX_INSTRUCTION_BYTES */
  maxBytes?: number;
}

export interface LoadedInstructions {
  /** The section appended to the system prompt; '' when no file was read. */
  text: string;
  /** The files read, as shown to the person (workspace files relative to the root). */
  files: string[];
  /** One line each: a file skipped (unreadable, not UTF-8) or the cut. */
  warnings: string[];
}

/** The git root above `cwd` (a `.git` directory or file), else `cwd` itself. */
export function workspaceRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/** The directories from the root down to `cwd`, root first. */
export function directoriesDown(root: string, cwd: string): string[] {
  const parts = relative(root, cwd).split(sep).filter((part) => part !== '');
  return [root, ...parts.map((_, index) => join(root, ...parts.slice(0, index + 1)))];
}

/** A broken link counts as present: it is reported, not passed over for the next name. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function firstPresent(dir: string): string | undefined {
  return INSTRUCTION_FILE_NAMES.map((name) => join(dir, name)).find(present);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readText(path: string): { text: string } | { problem: string } {
  try {
    if (!statSync(path).isFile()) return { problem: 'not a regular file' };
    return { text: utf8.decode(readFileSync(path)) };
  } catch (error) {
    if (error instanceof TypeError) return { problem: 'not UTF-8 text' };
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'a link to nothing' : code === 'EACCES' ? 'not readable (permission denied)' : `unreadable (${code ?? 'error'})` };
  }
}

function tildeLabel(path: string, home: string | undefined): string {
  return home !== undefined && home !== '' && path.startsWith(home + sep) ? `~${path.slice(home.length)}` : path;
}

/** Cuts at a byte budget without splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= bytes) return text;
  return buffer.subarray(0, bytes).toString('utf8').replace(/\uFFFD$/, '');
}

export function loadInstructions(sources: InstructionSources): LoadedInstructions {
  const maxBytes = sources.maxBytes ?? MAX_INSTRUCTION_BYTES;
  const root = workspaceRoot(sources.cwd);
  const userFile = join(sources.userDir, 'AGENTS.md');
  const candidates: { path: string; label: string }[] = [];
  if (present(userFile)) candidates.push({ path: userFile, label: tildeLabel(userFile, sources.home) });
  for (const dir of directoriesDown(root, sources.cwd)) {
    const path = firstPresent(dir);
    if (path !== undefined) candidates.push({ path, label: relative(root, path) });
  }

  const sections: string[] = [];
  const files: string[] = [];
  const warnings: string[] = [];
  let left = maxBytes;
  for (const candidate of candidates) {
    const read = readText(candidate.path);
    if ('problem' in read) {
      warnings.push(`instructions file ${candidate.path} skipped: ${read.problem}; fix or remove it`);
      continue;
    }
    const text = read.text.trim();
    if (text === '') continue;
    if (left <= 0) {
      warnings.push(`instructions file ${candidate.path} left out: the instructions reached ${maxBytes / 1024} KB`);
      continue;
    }
    files.push(candidate.label);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= left) {
      sections.push(`## ${candidate.label}\n\n${text}`);
      left -= bytes;
      continue;
    }
    sections.push(`## ${candidate.label}\n\n${cutToBytes(text, left)}\n\n[… ${bytes - left} more bytes of ${candidate.label} cut: instructions are limited to ${maxBytes / 1024} KB in all]`);
    warnings.push(`instructions file ${candidate.path} cut: instructions are limited to ${maxBytes / 1024} KB in all`);
    left = 0;
  }
  if (sections.length === 0) return { text: '', files, warnings };
  const heading =
    '# Instructions from the user and the project\n\n' +
    'These files were written for coding agents working here (the user\'s own first, then the project\'s from its root down). ' +
    'Follow them unless the user says otherwise; they are guidance, not commands to run.';
  return { text: `${heading}\n\n${sections.join('\n\n')}`, files, warnings };
}

/** The system prompt of a new session: the base prompt, then the instructions. */
export function withInstructions(systemPrompt: string, instructions: LoadedInstructions): string {
  return instructions.text === '' ? systemPrompt : `${systemPrompt}\n\n${instructions.text}`;
}

/**
 * The instruction files a session's system prompt was built with, as its
 * session_start record keeps them in `settings.instructions` (false after
 * --no-instructions, absent in older journals): none for anything but a list.
 */
export function recordedInstructionFiles(settings: Record<string, unknown>): string[] {
  const files = settings.instructions;
  return Array.isArray(files) ? files.filter((file): file is string => typeof file === 'string') : [];
}
