/**
 * The prompt box's slash commands: one registry, one entry per command (name,
 * one-line help, handler). A line that starts with `/word` runs the command and
 * never reaches the model; `//text` sends `/text`; an unknown `/word` gets one
 * line naming /help. Custom commands (markdown files) expand to a message.
 * Handlers act through a SlashContext, so this module stays free of React and of
 * the controller's internals.
 */
import type { ForkDone, SessionCommands, SessionDriver } from '../agent/controls.js';
import type { CustomCommand } from '../context/custom-commands.js';
import { countOf, firstLines, formatAge, formatDuration, formatShare, formatTokens } from './format.js';
import type { ViewState } from './state.js';

export type ApprovalPolicy = 'ask' | 'auto' | 'deny';

/** What a command may do; the session controller provides it. */
export interface SlashContext {
  readonly state: ViewState;
  readonly info: SessionDriver['info'];
  /** A run is on (the agent works). */
  readonly running: boolean;
  readonly approvalPolicy: ApprovalPolicy;
  /** The session operations, when the driver has them. */
  readonly session: SessionCommands | undefined;
  readonly customCommands: readonly CustomCommand[];
  /** Prints the command's output as a finished item (`diff` colours +/- lines). */
  print(text: string, tone?: 'plain' | 'diff' | 'error'): void;
  /** Sends text to the model as if typed (a task, a follow-up, or a steering message). */
  send(text: string): void;
  setApprovalPolicy(policy: ApprovalPolicy): void;
  /** Closes this session and continues in a new one with the same settings. */
  newSession(): Promise<void>;
  /** Opens /rewind's list of turns (with `turn`, goes to that turn); says why not while the agent works. */
  openRewind(turn?: number): void;
  /** Compacts now (idle) or at the run's next turn boundary (running). */
  compact(): 'started' | 'running';
  quit(): void;
}

export interface SlashCommand {
  name: string;
  /** Arguments as shown in /help, e.g. `ask|auto|deny`. */
  args?: string;
  /** One line for /help and the completion list. */
  help: string;
  run(args: string, context: SlashContext): void | Promise<void>;
}

/** @default 400 lines of /diff on screen. */
export const DIFF_LINES_SHOWN = 400;

/** @default 10 sessions listed by /sessions. */
export const SESSIONS_LISTED = 10;

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  { name: 'help', help: 'list the commands (and your custom commands)', run: (_args, context) => context.print(helpText(context.customCommands)) },
  { name: 'status', help: 'model, server, context fill, cached share, budgets, sandbox', run: (_args, context) => context.print(statusText(context)) },
  {
    name: 'compact',
    help: 'compact the conversation now',
    run: (_args, context) => {
      if (context.session === undefined) return context.print('/compact needs a live session', 'error');
      const how = context.compact();
      context.print(how === 'running' ? 'the conversation is compacted before the next turn' : 'compacting the conversation (esc stops it)');
    },
  },
  {
    name: 'rewind',
    args: '[turn]',
    help: "back to an earlier turn's files and conversation (also esc twice)",
    run: (args, context) => {
      if (args === '') return context.openRewind();
      const turn = Number(args);
      if (!Number.isInteger(turn) || turn < 1) return context.print(`/rewind takes a turn number (as the list shows them); got "${args}"`, 'error');
      context.openRewind(turn);
    },
  },
  {
    name: 'fork',
    args: '[turn] [--worktree]',
    help: 'branch a new session off the last turn (or that one)',
    run: async (args, context) => {
      if (context.session === undefined) return context.print('/fork needs a live session', 'error');
      const words = args.split(/\s+/).filter((word) => word !== '');
      const worktree = words.includes('--worktree');
      const rest = words.filter((word) => word !== '--worktree');
      const at = rest.length === 1 ? Number(rest[0]) : undefined;
      if (rest.length > 1 || (at !== undefined && (!Number.isInteger(at) || at < 1))) {
        return context.print(`/fork takes a turn number and --worktree, both optional; got "${args}"`, 'error');
      }
      try {
        const fork = await context.session.fork({ ...(at === undefined ? {} : { at }), ...(worktree ? { worktree } : {}) });
        context.print(forkText(fork, context.info.workspace));
      } catch (error) {
        context.print(`/fork failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
    },
  },
  {
    name: 'diff',
    help: "the session's changes to the workspace",
    run: async (_args, context) => {
      if (context.session === undefined) return context.print('/diff needs a live session', 'error');
      try {
        const diff = await context.session.workspaceDiff();
        if (diff.trim() === '') return context.print('no changes in the workspace');
        const { lines, more } = firstLines(diff, DIFF_LINES_SHOWN);
        context.print([...lines, ...(more > 0 ? [`… ${countOf(more, 'more line')} (git diff in the workspace shows them)`] : [])].join('\n'), 'diff');
      } catch (error) {
        context.print(`/diff failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
    },
  },
  {
    name: 'approval',
    args: 'ask|auto|deny',
    help: 'switch the approval policy for the rest of the session',
    run: (args, context) => {
      const policy = args.trim();
      if (policy === '') return context.print(`approval policy: ${context.approvalPolicy} (/approval ask|auto|deny switches it)`);
      if (policy !== 'ask' && policy !== 'auto' && policy !== 'deny') return context.print(`/approval takes ask, auto or deny; got "${policy}"`, 'error');
      context.setApprovalPolicy(policy);
      context.print(`approval policy: ${policy} for the rest of the session`);
    },
  },
  {
    name: 'sessions',
    help: 'recent sessions (endure resume <id> opens one)',
    run: (_args, context) => {
      const sessions = context.session?.recentSessions(SESSIONS_LISTED) ?? [];
      if (sessions.length === 0) return context.print('no sessions yet');
      const now = Date.now();
      const rows = sessions.map((s) => `${s.id === context.info.sessionId ? '▸' : ' '} ${s.id}  ${s.status.padEnd(11)} ${formatAge(s.lastActivity, now).padEnd(9)} ${oneLine(s.task) || '(no task yet)'}`);
      context.print([...rows, 'endure resume <id> continues one (after /quit)'].join('\n'));
    },
  },
  {
    name: 'clear',
    help: 'start a new session with the same settings',
    run: async (_args, context) => {
      if (context.running) return context.print('/clear waits until the agent is idle (esc interrupts it)', 'error');
      if (context.session === undefined) return context.print('/clear needs a live session', 'error');
      const previous = context.info.sessionId;
      try {
        await context.newSession();
        context.print(`new session ${context.info.sessionId}; the previous one stays resumable: endure resume ${previous}`);
      } catch (error) {
        context.print(`/clear failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
    },
  },
  { name: 'quit', help: 'close the session and leave (endure resume goes on later)', run: (_args, context) => context.quit() },
];

export type ParsedInput =
  | { kind: 'message'; text: string }
  | { kind: 'command'; command: SlashCommand; args: string }
  | { kind: 'custom'; command: CustomCommand; args: string }
  | { kind: 'unknown'; name: string };

const COMMAND_LINE = /^\/([A-Za-z][\w:-]*)(?:\s+([\s\S]*))?$/;

/**
 * What a submitted line is. `/word args` is a command (built-in first, then a
 * custom one); `//text` is the message `/text`; a line where the slash starts a
 * path (`/etc/hosts is missing`) is a message.
 */
export function parseInput(text: string, custom: readonly CustomCommand[], commands: readonly SlashCommand[] = SLASH_COMMANDS): ParsedInput {
  if (text.startsWith('//')) return { kind: 'message', text: text.slice(1) };
  const match = COMMAND_LINE.exec(text);
  if (match === null) return { kind: 'message', text };
  const name = match[1]!;
  const args = (match[2] ?? '').trim();
  const command = commands.find((entry) => entry.name === name);
  if (command !== undefined) return { kind: 'command', command, args };
  const own = custom.find((entry) => entry.name === name);
  if (own !== undefined) return { kind: 'custom', command: own, args };
  return { kind: 'unknown', name };
}

export interface Completion {
  name: string;
  help: string;
}

/** The commands whose names start with what follows the `/` (nothing while an argument is being typed). */
export function completions(draft: string, custom: readonly CustomCommand[], commands: readonly SlashCommand[] = SLASH_COMMANDS): Completion[] {
  const match = /^\/([\w:-]*)$/.exec(draft);
  if (match === null) return [];
  const prefix = match[1]!;
  const all: Completion[] = [
    ...commands.map((command) => ({ name: command.name, help: command.help })),
    ...custom.filter((command) => !commands.some((entry) => entry.name === command.name)).map((command) => ({ name: command.name, help: customHelp(command) })),
  ];
  return all.filter((entry) => entry.name.startsWith(prefix));
}

function customHelp(command: CustomCommand): string {
  return command.error === undefined ? `${command.description} (${command.source})` : `✗ ${command.error} (${command.file})`;
}

export function helpText(custom: readonly CustomCommand[], commands: readonly SlashCommand[] = SLASH_COMMANDS): string {
  const width = Math.max(...[...commands, ...custom].map((command) => commandLabel(command).length));
  const lines = ['commands (never sent to the model; //text sends /text):'];
  for (const command of commands) lines.push(`  ${commandLabel(command).padEnd(width)}  ${command.help}`);
  if (custom.length > 0) {
    lines.push('custom commands (.endure/commands/*.md, ~/.config/endure/commands/*.md):');
    for (const command of custom) lines.push(`  ${commandLabel(command).padEnd(width)}  ${customHelp(command)}`);
  }
  lines.push('@path attaches a file or a directory listing; tab completes commands and paths');
  return lines.join('\n');
}

function commandLabel(command: SlashCommand | CustomCommand): string {
  const args = 'args' in command && typeof command.args === 'string' ? ` ${command.args}` : 'source' in command ? ' [args]' : '';
  return `/${command.name}${args}`;
}

export function statusText(context: SlashContext): string {
  const { status } = context.state;
  const { info } = context;
  const budgets = info.budgets;
  const limits = [
    budgets.maxTurns === undefined ? undefined : `${status.turn}/${budgets.maxTurns} turns`,
    budgets.maxToolCalls === undefined ? undefined : `${status.toolCalls}/${budgets.maxToolCalls} tool calls`,
    budgets.maxTokens === undefined ? undefined : `${formatTokens(status.promptTokens + status.completionTokens)}/${formatTokens(budgets.maxTokens)} tokens`,
    budgets.deadlineMs === undefined ? undefined : `deadline ${formatDuration(budgets.deadlineMs)}`,
  ].filter((part) => part !== undefined);
  const window = status.contextWindow === undefined ? 'unknown window' : `${formatShare(status.contextTokens, status.contextWindow)} of ${formatTokens(status.contextWindow)}`;
  const rows: [string, string][] = [
    ['session', status.sessionId],
    ['model', `${status.model} on ${status.server}${info.baseURL === undefined ? '' : ` (${info.baseURL})`}`],
    ['context', `${formatTokens(status.contextTokens)} tokens, ${window}`],
    ['tokens', `${formatTokens(status.promptTokens)} in (cached ${formatShare(status.cachedTokens, status.promptTokens)}) / ${formatTokens(status.completionTokens)} out`],
    ['progress', `turn ${status.turn} · ${countOf(status.toolCalls, 'tool call')}`],
    ['budgets', limits.length === 0 ? 'none' : limits.join(' · ')],
    ['sandbox', `${status.sandbox} · workspace ${info.workspace}`],
    ['approval', context.approvalPolicy],
    ['instructions', info.instructions === undefined || info.instructions.length === 0 ? 'none' : info.instructions.join(', ')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${label.padEnd(width)}${value}`).join('\n');
}

/** What /fork prints: the new session and how to go on with it (this one stays open here). */
export function forkText(fork: ForkDone, workspace: string): string {
  return [
    `forked this session at turn ${fork.atTurn}: new session ${fork.sessionId}${fork.workspace === workspace ? '' : `, working in ${fork.workspace}`}`,
    ...fork.notes,
    `continue the fork after /quit: endure resume ${fork.sessionId}`,
    `  or headless: endure exec --resume ${fork.sessionId} "<message>"`,
  ].join('\n');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
