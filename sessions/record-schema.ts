/**
 * The shape of journal records as zod schemas, for validating lines read back
 * from disk (a file we wrote, but one that may have been damaged or written by
 * another version). It mirrors records.ts; the type checks at the bottom fail
 * the build when the two drift apart. Unknown extra fields are allowed, so a
 * journal written by a newer endure with additive fields still reads.
 */
import { z } from 'zod';
import type { RecordBody } from './records.js';

const usage = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  cachedTokens: z.number().optional(),
  prefilledTokens: z.number().optional(),
  reasoningTokens: z.number().optional(),
});

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const endpoint = z.object({
  baseURL: z.string(),
  server: z.enum(['llama', 'vllm', 'sglang', 'ollama', 'dashscope', 'openrouter']),
  model: z.string(),
  contextWindow: z.number().optional(),
});

const blobRef = z.object({ id: z.string(), bytes: z.number() });

export const recordBodySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('session_start'),
    sessionId: z.string(),
    version: z.string(),
    task: z.string(),
    cwd: z.string(),
    workspace: z.string(),
    endpoint,
    sandbox: z.string(),
    thinking: z.boolean(),
    systemPrompt: z.string(),
    tools: z.array(z.string()),
    gitHead: z.string().optional(),
    settings: z.record(z.string(), z.unknown()),
    forkOf: z.object({ parent: z.string(), atTurn: z.number() }).optional(),
  }),
  z.object({ kind: z.literal('user'), content: z.string(), origin: z.literal('endure').optional() }),
  z.object({
    kind: z.literal('assistant'),
    turn: z.number(),
    content: z.string(),
    reasoning: z.string().optional(),
    toolCalls: z.array(toolCall).optional(),
    argumentErrors: z.record(z.string(), z.string()).optional(),
    finish: z.enum(['stop', 'tool_calls', 'length', 'content_filter']),
    usage: usage.optional(),
    modelMs: z.number().optional(),
    reasoningMs: z.number().optional(),
  }),
  z.object({ kind: z.literal('tool_start'), callId: z.string(), name: z.string(), replayable: z.boolean() }),
  z.object({
    kind: z.literal('tool_end'),
    callId: z.string(),
    name: z.string(),
    isError: z.boolean(),
    content: z.string(),
    blob: blobRef.optional(),
    durationMs: z.number(),
    outcome: z.enum(['interrupted', 'denied', 'cancelled']).optional(),
    agent: z
      .object({
        id: z.string(),
        status: z.enum(['done', 'failed', 'budget', 'interrupted']),
        turns: z.number(),
        toolCalls: z.number(),
        usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), cachedTokens: z.number(), prefilledTokens: z.number().optional() }),
        durationMs: z.number(),
      })
      .optional(),
  }),
  z.object({
    kind: z.literal('compaction'),
    summary: z.string(),
    throughSeq: z.number(),
    state: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ kind: z.literal('checkpoint'), ref: z.string(), turn: z.number().optional() }),
  z.object({ kind: z.literal('rewind'), toTurn: z.number(), throughSeq: z.number(), tree: z.string() }),
  z.object({
    kind: z.literal('fork'),
    sessionId: z.string(),
    parent: z.string(),
    atTurn: z.number(),
    throughSeq: z.number(),
    tree: z.string().optional(),
    workspace: z.string(),
    worktree: z.object({ base: z.string(), branch: z.string() }).optional(),
  }),
  z.object({ kind: z.literal('endpoint'), endpoint, previous: endpoint }),
  z.object({
    kind: z.literal('slot'),
    action: z.enum(['save', 'restore']),
    file: z.string(),
    slot: z.number(),
    tokens: z.number(),
    bytes: z.number(),
    ms: z.number(),
    prefixHash: z.string().optional(),
    messages: z.number().optional(),
    reason: z.string().optional(),
  }),
  z.object({ kind: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({
    kind: z.literal('end'),
    status: z.enum(['done', 'failed', 'budget', 'interrupted']),
    result: z.string().optional(),
    reason: z.string().optional(),
  }),
]);

export const recordEnvelopeSchema = z.object({
  seq: z.number().int().positive(),
  t: z.number(),
});

const withEnvelope = recordBodySchema.options.map((body) => body.extend(recordEnvelopeSchema.shape));

/** A whole record: the envelope and one body (one flat union; an intersection would parse every record twice and merge). */
export const journalRecordSchema = z.discriminatedUnion('kind', withEnvelope as [(typeof withEnvelope)[number], ...(typeof withEnvelope)[number][]]);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const bodyMatchesRecords: Same<z.infer<typeof recordBodySchema>, RecordBody> = true;
void bodyMatchesRecords;
