/**
 * What `sessions list` shows of a session, without reading its whole journal.
 * The writer folds every record it appends into a SessionSummary and rewrites
 * `summary.json` atomically (temp file + rename) at each sync and at close.
 * The summary names the journal prefix it covers, so a reader brings a stale
 * one (a crash between syncs, a live session mid-turn) up to date by reading
 * only the lines after it; a missing or unreadable summary means one full read.
 * The journal stays the truth: the summary is a cache that can always be rebuilt.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { emptyFigures, foldFigures, type SessionFigures } from './figures.js';
import type { ReadFrom } from './journal-reader.js';
import type { JournalRecord, SessionStatus } from './records.js';
import type { Redactor } from './redactor.js';

export type EndStatus = Exclude<SessionStatus, 'running'>;

/** Bumped when the figures' meaning changes: a summary of another version is rebuilt from the journal. */
const SUMMARY_VERSION = 4;

export interface SessionSummary extends SessionFigures {
  id: string;
  task: string;
  /** Epoch ms of the first record. */
  startedAt: number;
  /** Epoch ms of the latest record. */
  lastActivity: number;
  /** The status of the latest `end` record when nothing happened after it; unset while the session runs (or after a crash). */
  ended?: EndStatus;
  endReason?: string;
  /** The journal prefix folded in: where to read on from. */
  through: ReadFrom;
  /** A fork's parent session and the turn it went on from (its first turns are the parent's). */
  parent?: string;
  forkTurn?: number;
}

const summarySchema = z.object({
  version: z.literal(SUMMARY_VERSION),
  id: z.string(),
  task: z.string(),
  startedAt: z.number(),
  lastActivity: z.number(),
  ended: z.enum(['done', 'failed', 'budget', 'interrupted']).optional(),
  endReason: z.string().optional(),
  turns: z.number(),
  toolCalls: z.number(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), cachedTokens: z.number(), prefilledTokens: z.number() }),
  through: z.object({ offset: z.number(), seq: z.number(), lines: z.number() }),
  parent: z.string().optional(),
  forkTurn: z.number().optional(),
});

export function emptySummary(id: string): SessionSummary {
  return {
    id,
    task: '',
    startedAt: 0,
    lastActivity: 0,
    ...emptyFigures(),
    through: { offset: 0, seq: 0, lines: 0 },
  };
}

/** Folds one record into `summary` (in place; O(1)). `through` is the caller's to advance. */
export function foldSummary(summary: SessionSummary, record: JournalRecord): void {
  if (summary.startedAt === 0) summary.startedAt = record.t;
  summary.lastActivity = record.t;
  foldFigures(summary, record);
  switch (record.kind) {
    case 'session_start':
      summary.id = record.sessionId;
      summary.task = record.task;
      break;
    case 'assistant':
    case 'tool_start':
    case 'tool_end':
    case 'compaction':
      break;
    case 'end':
      summary.ended = record.status;
      if (record.reason === undefined) delete summary.endReason;
      else summary.endReason = record.reason;
      return;
    case 'fork':
      // A fork began now, from its parent's first turns (folded before it).
      summary.id = record.sessionId;
      summary.parent = record.parent;
      summary.forkTurn = record.atTurn;
      summary.startedAt = record.t;
      break;
    case 'checkpoint':
    case 'rewind':
    case 'error':
    case 'endpoint':
    case 'slot':
      return;
    case 'user':
      // A session opened without a task (the UI's prompt box) takes its first message as the task.
      if (!summary.task) summary.task = record.content;
      break;
    default: {
      const unknown: never = record;
      return unknown;
    }
  }
  delete summary.ended;
  delete summary.endReason;
}

/** Writes `summary` to `path` atomically, secrets redacted. */
export function writeSummary(path: string, summary: SessionSummary, redactor?: Redactor): void {
  const record = { version: SUMMARY_VERSION, ...summary };
  const json = redactor ? redactor.serialize(record).json : JSON.stringify(record);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, json);
  renameSync(temp, path);
}

/** The summary at `path`, or undefined when it is missing or not one we wrote. */
export function readSummary(path: string): SessionSummary | undefined {
  try {
    const parsed = summarySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) return undefined;
    const { version: _version, ...summary } = parsed.data;
    return summary as SessionSummary;
  } catch {
    return undefined;
  }
}
