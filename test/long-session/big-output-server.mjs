#!/usr/bin/env node
// A minimal MCP server over stdio (no SDK) with one tool, `dump`, that returns
// `mb` megabytes of numbered lines as a single text result: a tool output far
// larger than any context window, for the tool-output discipline tests.
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

/** Lines `line 0000001 ...` up to exactly `bytes` bytes, ending in `END OF DUMP\n`. */
function dump(bytes) {
  const end = 'END OF DUMP\n';
  const parts = [];
  let size = 0;
  for (let n = 0; size + 64 + end.length <= bytes; n++) {
    const line = `line ${String(n).padStart(7, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789'.slice(0, 51)}\n`;
    parts.push(line);
    size += line.length;
  }
  parts.push('.'.repeat(bytes - size - end.length), end);
  return parts.join('');
}

const tools = [
  {
    name: 'dump',
    description: 'Return mb megabytes of numbered lines',
    inputSchema: { type: 'object', properties: { mb: { type: 'number' } }, required: ['mb'] },
    annotations: { readOnlyHint: true },
  },
];

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const message = JSON.parse(line);
    switch (message.method) {
      case 'initialize':
        return send({
          id: message.id,
          result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'big-output', version: '1.0.0' } },
        });
      case 'ping':
        return send({ id: message.id, result: {} });
      case 'tools/list':
        return send({ id: message.id, result: { tools } });
      case 'tools/call':
        return send({ id: message.id, result: { content: [{ type: 'text', text: dump(Math.round(message.params.arguments.mb * 1024 * 1024)) }] } });
      default:
        if (message.id !== undefined) send({ id: message.id, error: { code: -32601, message: 'Method not found' } });
    }
  });
