/**
 * `endure sessions list|show|export|rm`: the session store from the command line.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { resolveHome, sessionPathsUnder } from '../../../sessions/home.js';
import { encodeLine } from '../../../sessions/journal-line.js';
import type { JournalRecord } from '../../../sessions/records.js';
import type { Session } from '../../../sessions/session.js';
import { SessionStore, type SessionContents, type SessionInfo } from '../../../sessions/store.js';
import { ConfigError, JournalError } from '../../shared/errors.js';
import { countOf } from '../../ui/format.js';
import { formatDuration } from '../../ui/headless/summarize.js';
import { renderTranscript } from '../transcript.js';

function store(): SessionStore {
  return new SessionStore({ home: resolveHome(process.env) });
}

/**
 * Reads a session's subagents' journals by id, for their nested transcripts
 * (undefined when one cannot be read). A fork's inherited turns ran theirs in its ancestors.
 */
function childrenOf(sessions: SessionStore, contents: SessionContents): (id: string) => JournalRecord[] | undefined {
  const stores = [contents, ...contents.ancestors.map((ancestor) => ({ paths: sessionPathsUnder(sessions.root, ancestor) }))].map((owner) => sessions.agentsOf(owner));
  return (id) => {
    for (const agents of stores) {
      try {
        return agents.read(id).records;
      } catch {
        // not this one's child
      }
    }
    return undefined;
  };
}

/** A live session refused (its process holds the lock): a usage error (exit 2) naming that process, in every command that changes a session. */
function lockedAsUsage(error: unknown): never {
  if (error instanceof JournalError && error.code === 'locked') throw new ConfigError(error.code, error.message);
  throw error;
}

/** Opens a session to change it; a missing or live session is a usage error (exit 2) naming why. */
function openForChange(ref: string): Session {
  try {
    return store().open(ref);
  } catch (error) {
    return lockedAsUsage(error);
  }
}

/**
 * A session's journal as it is on disk; a fork's as one journal of its whole
 * history (its parents' records through the fork point, then its own), which
 * reads, folds and replays without the parents' directories.
 */
function journalText(contents: SessionContents): string {
  if (contents.ancestors.length === 0) return readFileSync(contents.paths.journal, 'utf8');
  return contents.records.map((record) => encodeLine(JSON.stringify(record))).join('');
}

function row(info: SessionInfo, now: number): string {
  const age = info.lastActivity ? `${formatDuration(now - info.lastActivity)} ago` : '-';
  const fork = info.parent ? `(fork of ${info.parent} at turn ${info.forkTurn}) ` : '';
  const task = `${fork}${info.task.split('\n')[0]!.slice(0, 60)}`;
  return [info.id, info.status.padEnd(11), String(info.turns).padStart(5), String(info.toolCalls).padStart(6), age.padStart(12), task].join('  ');
}

export function registerSessions(program: Command, setExitCode: (code: number) => void): void {
  const sessions = program.command('sessions').description('list, show, export and remove sessions');
  sessions
    .command('list')
    .description('sessions, most recent first')
    .option('--json', 'print one JSON array')
    .action(async (flags: { json?: boolean }) => {
      const sessions = store();
      const infos = sessions.list();
      const { unfinishedForks } = await import('../fork.js');
      for (const dir of unfinishedForks(sessions.root)) process.stderr.write(`endure: an interrupted fork left ${dir}; the next 'endure sessions fork' removes it\n`);
      if (flags.json) {
        const rows = infos.map((info) => ({
          id: info.id,
          status: info.status,
          task: info.task,
          turns: info.turns,
          tool_calls: info.toolCalls,
          started_at: new Date(info.startedAt).toISOString(),
          last_activity: new Date(info.lastActivity).toISOString(),
          dir: info.dir,
          ...(info.parent ? { parent: info.parent, at_turn: info.forkTurn } : {}),
          ...(info.problem ? { problem: info.problem } : {}),
        }));
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (infos.length === 0) {
        process.stdout.write("no sessions yet; start one with: endure exec \"<task>\"\n");
        return;
      }
      const now = Date.now();
      process.stdout.write(`${['id'.padEnd(infos[0]!.id.length), 'status'.padEnd(11), 'turns', ' calls', 'last activity'.padStart(12), 'task'].join('  ')}\n`);
      for (const info of infos) process.stdout.write(`${row(info, now)}\n`);
    });
  sessions
    .command('show')
    .description('print a session transcript')
    .argument('<id>', 'session id, unique prefix, or last')
    .action((id: string) => {
      const sessions = store();
      const contents = sessions.read(id);
      if (contents.torn) process.stderr.write(`endure: the journal's last line is torn (${contents.torn.bytes} bytes); shown up to it\n`);
      process.stdout.write(renderTranscript(contents.records, childrenOf(sessions, contents)));
    });
  sessions
    .command('export')
    .description("write a session as markdown or its raw JSONL (a fork's: its whole history, the parent's turns first)")
    .argument('<id>', 'session id, unique prefix, or last')
    .addOption(new Option('--format <format>', 'md or jsonl').choices(['md', 'jsonl']).default('md'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((id: string, flags: { format: 'md' | 'jsonl'; output?: string }) => {
      const sessions = store();
      const contents = sessions.read(id);
      const text = flags.format === 'md' ? renderTranscript(contents.records, childrenOf(sessions, contents)) : journalText(contents);
      if (flags.output) writeFileSync(flags.output, text);
      else process.stdout.write(text);
    });
  sessions
    .command('rewind')
    .description('restore the files of a turn and continue the conversation from its end')
    .argument('<id>', 'session id, unique prefix, or last')
    .requiredOption('--to <turn>', 'the turn to go back to (as numbered by sessions show)')
    .option('--force', 'save files changed outside the session under <session>/rewind-backup/ and rewind anyway')
    .option('--json', 'print {"session_id","to_turn","restored","removed"}')
    .action(async (id: string, flags: { to: string; force?: boolean; json?: boolean }) => {
      const to = Number(flags.to);
      if (!Number.isInteger(to) || to < 1) throw new ConfigError('bad_turn', `--to ${flags.to}: give a turn number (a whole number from 1, as sessions show numbers them)`);
      const { rewind } = await import('../rewind.js');
      const session = openForChange(id);
      try {
        const outcome = await rewind(session, to, { ...(flags.force ? { force: true } : {}) });
        if (outcome.completed !== undefined) process.stderr.write(`endure: completed an interrupted rewind to turn ${outcome.completed} first\n`);
        if (outcome.backup) process.stderr.write(`endure: saved the files changed outside the session under ${outcome.backup}\n`);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ session_id: outcome.sessionId, to_turn: outcome.toTurn, restored: outcome.restored, removed: outcome.removed })}\n`);
        } else {
          const lines = [...outcome.restored.map((path) => `restored ${path}`), ...outcome.removed.map((path) => `removed ${path}`)];
          process.stdout.write(`rewound session ${outcome.sessionId} to the end of turn ${outcome.toTurn}: ${countOf(outcome.restored.length, 'file')} restored, ${outcome.removed.length} removed\n${lines.map((line) => `  ${line}\n`).join('')}`);
        }
      } finally {
        session.close();
      }
      setExitCode(0);
    });
  sessions
    .command('fork')
    .description('start a new session from the end of a turn of another (its journal is not copied or changed)')
    .argument('<id>', 'session id, unique prefix, or last')
    .option('--at <turn>', "the turn to go on from (as numbered by sessions show) (default: the session's last finished turn)")
    .option('--worktree', "give the fork its own git worktree holding that turn's files (default: the session's workspace as it is)")
    .option('--json', 'print {"session_id","parent","at_turn"}')
    .action(async (id: string, flags: { at?: string; worktree?: boolean; json?: boolean }) => {
      const at = flags.at === undefined ? undefined : Number(flags.at);
      if (at !== undefined && (!Number.isInteger(at) || at < 1)) throw new ConfigError('bad_turn', `--at ${flags.at}: give a turn number (a whole number from 1, as sessions show numbers them)`);
      const { forkSession } = await import('../fork.js');
      const fork = await forkSession(id, {
        ...(at !== undefined ? { at } : {}),
        ...(flags.worktree ? { worktree: true } : {}),
        warn: (message) => process.stderr.write(`endure: ${message}\n`),
      });
      if (flags.json) process.stdout.write(`${JSON.stringify({ session_id: fork.sessionId, parent: fork.parent, at_turn: fork.atTurn })}\n`);
      else process.stdout.write(`${fork.sessionId}\n`);
      setExitCode(0);
    });
  sessions
    .command('rm')
    .description('remove a session (and its worktree and branch, if it had one)')
    .argument('<id>', 'session id, unique prefix, or last')
    .action(async (id: string) => {
      const { removeSession } = await import('../remove-session.js');
      const removed = await removeSession(store(), id).catch(lockedAsUsage);
      process.stdout.write(`removed session ${removed.id}\n`);
      setExitCode(0);
    });
}
