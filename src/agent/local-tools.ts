/**
 * Tools the loop answers itself, without an MCP server: `read_output` pages
 * through the whole output of an earlier call that was cut for the prompt.
 */
import type { ToolCallResult, ToolDescriptor } from '../mcp/types.js';
import type { SessionSink } from './session-sink.js';

export const READ_OUTPUT: ToolDescriptor = {
  name: 'read_output',
  server: 'endure',
  mcpName: 'read_output',
  description:
    'Read more of a tool output that was cut. Give the id and byte offset from the note in the cut output. Returns up to length bytes (default: as much as fits).',
  inputSchema: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      offset: { type: 'integer', minimum: 0 },
      length: { type: 'integer', minimum: 1 },
    },
    required: ['id'],
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

export function readOutput(session: SessionSink, args: Record<string, unknown>, limit: number): ToolCallResult {
  const id = args.id;
  const offset = args.offset ?? 0;
  const length = args.length ?? limit;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(id))
    return { isError: true, text: 'read_output needs "id": the id named in the cut output\'s note' };
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
    return { isError: true, text: '"offset" must be a non-negative integer (a byte offset)' };
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1)
    return { isError: true, text: '"length" must be a positive integer' };
  const slice = session.readBlob(id, offset, Math.min(length, limit));
  if (!slice) return { isError: true, text: `no output with id "${id}" in this session; copy the id from the note` };
  const end = offset + Buffer.byteLength(slice.text);
  const more = end < slice.totalBytes ? `; read on with offset ${end}` : '; this is the end';
  return { isError: false, text: `${slice.text}\n[bytes ${offset}-${end} of ${slice.totalBytes}${more}]` };
}
