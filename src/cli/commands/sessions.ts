/**
 * `endure sessions list|show|export|rm`: the session store from the command line.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { removeWorktree } from '../../../sandboxes/worktree.js';
import { resolveHome } from '../../../sessions/home.js';
import type { JournalRecord } from '../../../sessions/records.js';
import type { Session } from '../../../sessions/session.js';
import { SessionStore, type SessionContents, type SessionInfo } from '../../../sessions/store.js';
import { ConfigError, JournalError } from '../../shared/errors.js';
import { formatDuration } from '../../ui/headless/summarize.js';
import { renderTranscript } from '../transcript.js';

function store(): SessionStore {
  return new SessionStore({ home: resolveHome(process.env) });
}

/** Reads a session's subagents' journals by id, for their nested transcripts (undefined when one cannot be read). */
function childrenOf(sessions: SessionStore, contents: SessionContents): (id: string) => JournalRecord[] | undefined {
  const agents = sessions.agentsOf(contents);
  return (id) => {
    try {
      return agents.read(id).records;
    } catch {
      return undefined;
    }
  };
}

/** Opens a session to change it; a missing or live session is a usage error (exit 2) naming why. */
function openForChange(ref: string): Session {
  try {
    return store().open(ref);
  } catch (error) {
    if (error instanceof JournalError && ['locked', 'session_not_found', 'no_sessions'].includes(error.code)) throw new ConfigError(error.code, error.message);
    throw error;
  }
}

function row(info: SessionInfo, now: number): string {
  const age = info.lastActivity ? `${formatDuration(now - info.lastActivity)} ago` : '-';
  const task = info.task.split('\n')[0]!.slice(0, 60);
  return [info.id, info.status.padEnd(11), String(info.turns).padStart(5), String(info.toolCalls).padStart(6), age.padStart(12), task].join('  ');
}

export function registerSessions(program: Command, setExitCode: (code: number) => void): void {
  const sessions = program.command('sessions').description('list, show, export and remove sessions');
  sessions
    .command('list')
    .description('sessions, most recent first')
    .option('--json', 'print one JSON array')
    .action((flags: { json?: boolean }) => {
      const infos = store().list();
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
    .description('write a session as markdown or its raw JSONL')
    .argument('<id>', 'session id, unique prefix, or last')
    .addOption(new Option('--format <format>', 'md or jsonl').choices(['md', 'jsonl']).default('md'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((id: string, flags: { format: 'md' | 'jsonl'; output?: string }) => {
      const sessions = store();
      const contents = sessions.read(id);
      const text = flags.format === 'jsonl' ? readFileSync(contents.paths.journal, 'utf8') : renderTranscript(contents.records, childrenOf(sessions, contents));
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
          process.stdout.write(`rewound session ${outcome.sessionId} to the end of turn ${outcome.toTurn}: ${outcome.restored.length} files restored, ${outcome.removed.length} removed\n${lines.map((line) => `  ${line}\n`).join('')}`);
        }
      } finally {
        session.close();
      }
      setExitCode(0);
    });
  sessions
    .command('rm')
    .description('remove a session (and its worktree and branch, if it had one)')
    .argument('<id>', 'session id, unique prefix, or last')
    .action(async (id: string) => {
      const sessionStore = store();
      const contents = sessionStore.read(id);
      const start = contents.records[0];
      const removed = await sessionStore.remove(contents.id, async () => {
        if (start?.kind === 'session_start' && start.workspace !== start.cwd)
          await removeWorktree({ repo: start.cwd, sessionId: contents.id, path: start.workspace });
      });
      process.stdout.write(`removed session ${removed.id}\n`);
      setExitCode(0);
    });
}
