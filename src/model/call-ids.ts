/** Ids for tool calls that arrived without one (text markup, or a server that omits it). */
import { randomBytes } from 'node:crypto';

export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}
