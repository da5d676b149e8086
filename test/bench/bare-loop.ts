/**
 * The floor the soak compares endure against: an agent loop with no
 * dependencies, the "bare loop" of the targets table. It streams a chat
 * completion, gathers the tool calls, runs read_file in-process and sends the
 * whole conversation again, until the model answers without a call. No
 * journal, no compaction, no sandbox: what any loop must pay on this machine.
 *
 *   node dist/test/bench/bare-loop.js <base-url ending in /v1> <workspace> <max calls>
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

interface Call {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

const [baseUrl, workspace, limit] = process.argv.slice(2) as [string, string, string];
const tools = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      description: 'Read a text file of the workspace from a line on.',
      parameters: { type: 'object', properties: { path: { type: 'string' }, offset: { type: 'number' } }, required: ['path'] },
    },
  },
];
const messages: object[] = [
  { role: 'system', content: 'You are a coding agent. Use the tools.' },
  { role: 'user', content: 'Work through the soak plan.' },
];

async function turn(): Promise<{ content: string; calls: Call[] }> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'qwen', stream: true, messages, tools }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
  let content = '';
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const delta = (JSON.parse(line.slice(6)) as { choices: { delta?: Record<string, any> }[] }).choices[0]?.delta;
    if (!delta) continue;
    content += delta.content ?? '';
    for (const piece of (delta.tool_calls ?? []) as { index: number; id?: string; function?: { name?: string; arguments?: string } }[]) {
      const call = (calls[piece.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      call.id ||= piece.id ?? '';
      call.function.name += piece.function?.name ?? '';
      call.function.arguments += piece.function?.arguments ?? '';
    }
  }
  return { content, calls };
}

async function readTool(args: { path: string; offset?: number }): Promise<string> {
  const lines = (await readFile(resolve(workspace, args.path), 'utf8')).split('\n');
  const from = Math.max(1, args.offset ?? 1);
  return lines.slice(from - 1, from + 1999).map((line, i) => `${from + i}\t${line}`).join('\n');
}

let calls = 0;
for (;;) {
  const { content, calls: toolCalls } = await turn();
  messages.push({ role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
  if (toolCalls.length === 0 || calls >= Number(limit)) break;
  for (const call of toolCalls) {
    calls++;
    const output = await readTool(JSON.parse(call.function.arguments) as { path: string; offset?: number }).catch((error: Error) => `error: ${error.message}`);
    messages.push({ role: 'tool', tool_call_id: call.id, content: output });
  }
}
process.stdout.write(`${calls} calls\n`);
