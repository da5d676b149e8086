#!/usr/bin/env node
// A small MCP server over stdio, written without the SDK so it can misbehave on
// purpose: crash mid-call, hang, stream progress, list malformed tools, page its
// tool list, change its tools, and ask the client for sampling, elicitation and
// roots. Flags: --page-size N, --malformed, --fail-start, --tag TEXT.
import { createInterface } from 'node:readline';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const pageSize = Number(value('--page-size', '1000'));
const tag = value('--tag', 'fixture');

if (flag('--fail-start')) {
  process.stderr.write('fixture: refusing to start\n');
  process.exit(4);
}

const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
const log = (text) => process.stderr.write(`${text}\n`);
const text = (value) => ({ content: [{ type: 'text', text: value }] });
const object = (properties = {}, required = []) => ({ type: 'object', properties, required });

const tools = [
  { name: 'echo', description: 'Echo text back', inputSchema: object({ text: { type: 'string' } }, ['text']), annotations: { readOnlyHint: true } },
  { name: 'pid', description: 'Process id of the server', inputSchema: object() },
  { name: 'crash', description: 'Exit the server process in the middle of the call', inputSchema: object() },
  { name: 'slow', description: 'Report progress every intervalMs for steps steps', inputSchema: object({ steps: { type: 'integer' }, intervalMs: { type: 'integer' } }) },
  { name: 'hang', description: 'Never answer', inputSchema: object() },
  { name: 'ask', description: 'Send sampling, elicitation and roots requests to the client', inputSchema: object() },
  { name: 'add_tool', description: 'Register a new tool and announce list_changed', inputSchema: object({ name: { type: 'string' } }) },
  { name: 'media', description: 'Return every kind of content', inputSchema: object() },
  { name: 'dotted.name', description: 'A name with a dot', inputSchema: object() },
];
if (flag('--malformed')) {
  tools.push(
    { name: 'no_schema', description: 'no inputSchema' },
    { name: 'array_schema', inputSchema: { type: 'array' } },
    { name: 'task_only', inputSchema: object(), execution: { taskSupport: 'required' } },
    { name: 42, inputSchema: object() },
  );
}

let nextId = 1;
const pending = new Map();
const hung = new Map();
function request(method, params) {
  const id = `s${nextId++}`;
  send({ id, method, params });
  return new Promise((resolve) => pending.set(id, resolve));
}

async function callTool(id, params) {
  const token = params._meta?.progressToken;
  const args = params.arguments ?? {};
  switch (params.name) {
    case 'echo':
      return text(`${tag}: ${args.text}`);
    case 'pid':
      return text(String(process.pid));
    case 'crash':
      log('fixture: crashing now');
      process.exit(3);
    case 'slow': {
      const steps = args.steps ?? 3;
      for (let step = 1; step <= steps; step++) {
        await new Promise((resolve) => setTimeout(resolve, args.intervalMs ?? 50));
        if (token !== undefined) send({ method: 'notifications/progress', params: { progressToken: token, progress: step, total: steps } });
      }
      return text(`done after ${steps} steps`);
    }
    case 'hang':
      return new Promise((resolve) => hung.set(id, resolve));
    case 'ask': {
      const sampling = await request('sampling/createMessage', { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 });
      const elicitation = await request('elicitation/create', { message: 'name?', requestedSchema: object({ name: { type: 'string', default: 'Ada' } }) });
      const roots = await request('roots/list', {});
      return text(JSON.stringify({ sampling, elicitation, roots }));
    }
    case 'add_tool':
      tools.push({ name: args.name, description: 'added later', inputSchema: object() });
      send({ method: 'notifications/tools/list_changed' });
      return text('added');
    case 'media':
      return {
        content: [
          { type: 'text', text: 'here is everything' },
          { type: 'image', mimeType: 'image/png', data: 'A'.repeat(8000) },
          { type: 'audio', mimeType: 'audio/wav', data: 'B'.repeat(400) },
          { type: 'resource', resource: { uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'inline notes' } },
          { type: 'resource', resource: { uri: 'file:///blob.bin', mimeType: 'application/octet-stream', blob: 'C'.repeat(2000) } },
          { type: 'resource_link', uri: 'file:///linked.md', name: 'linked.md', mimeType: 'text/markdown' },
        ],
        structuredContent: { ok: true },
      };
    case 'dotted.name':
      return text('dotted');
    default:
      return { content: [{ type: 'text', text: `unknown tool ${params.name}` }], isError: true };
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('close', () => process.exit(0));
lines.on('line', async (line) => {
  if (line.trim() === '') return;
  const message = JSON.parse(line);
  if (message.method === undefined) {
    pending.get(message.id)?.(message.error ? { error: message.error } : { result: message.result });
    pending.delete(message.id);
    return;
  }
  switch (message.method) {
    case 'initialize':
      return send({
        id: message.id,
        result: {
          protocolVersion: message.params.protocolVersion,
          capabilities: { tools: { listChanged: true }, logging: {} },
          serverInfo: { name: `fixture-${tag}`, version: '1.0.0' },
        },
      });
    case 'ping':
      return send({ id: message.id, result: {} });
    case 'tools/list': {
      const start = Number(message.params?.cursor ?? 0);
      const page = tools.slice(start, start + pageSize);
      const next = start + pageSize < tools.length ? String(start + pageSize) : undefined;
      return send({ id: message.id, result: { tools: page, ...(next ? { nextCursor: next } : {}) } });
    }
    case 'tools/call':
      send({ method: 'notifications/message', params: { level: 'info', data: `calling ${message.params.name}` } });
      return send({ id: message.id, result: await callTool(message.id, message.params) });
    case 'notifications/cancelled':
      log(`fixture: cancelled ${message.params.requestId}`);
      hung.delete(message.params.requestId);
      return;
    default:
      if (message.id !== undefined) send({ id: message.id, error: { code: -32601, message: 'Method not found' } });
  }
});
