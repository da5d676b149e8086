/**
 * Tool-output discipline with the real CLI and a 16k-token window: a tool that
 * returns megabytes (a user MCP server) or a shell command that prints 50 MB
 * overflows neither the context nor memory. The prompt gets head + tail + a
 * note naming the read_output id and byte offset, the whole output is a blob of
 * the session (never in the journal), and read_output with that id and offset
 * returns the bytes that follow the head. The MCP SDK's stdio reader refuses a
 * message over 10 MB, so a 50 MB result over stdio comes back as an error.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, journalPath, sessionIds } from '../support/e2e-fixtures.js';
import { lastContent, messagesOf, noteOf, stepOf, worker } from './support.js';

const BIG_SERVER = fileURLToPath(new URL('./big-output-server.mjs', import.meta.url));
const MB = 1024 * 1024;

/** Peak RSS (VmHWM) of a live process, in MB. */
function peakRssMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function bigServerConfig(scratch: string): string {
  const config = join(scratch, 'mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { big: { command: process.execPath, args: [BIG_SERVER] } } }));
  return config;
}

function blobOf(home: string, id: string): Buffer {
  return readFileSync(join(home, 'sessions', sessionIds(home)[0]!, 'blobs', id));
}

/** A model that calls `first`, then read_output at the note's offset, then answers. */
function readOnModel(first: ReturnType<typeof call>) {
  return worker({
    step: (k, request) => {
      if (k === 0) return { toolCalls: [first] };
      if (k === 1) {
        const note = noteOf(lastContent(request));
        return { toolCalls: [call('read_output', { id: note.id, offset: note.offset, length: 1000 })] };
      }
      return undefined;
    },
    final: 'Read the big output.',
  });
}

describe('tool-output discipline (16k window)', () => {
  test('a tool that returns 9 MB: head + tail + note in the prompt, the whole output in a blob, read_output pages on', async ({ server, endure, home, scratch }) => {
    const size = 9 * MB;
    const model = readOnModel(call('big__dump', { mb: 9 }));
    const running = endure.exec(['--context-window', '16384', '--mcp-config', bigServerConfig(scratch), 'Dump 9 MB and read past the cut.']);
    let peakAfterTool = 0;
    server.respondWith((request) => {
      if (stepOf(request) === 1) peakAfterTool = peakRssMb(running.pid);
      return model(request);
    });
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Read the big output.\n');

    const [, afterDump, afterRead] = server.requests;
    const cut = lastContent(afterDump!);
    const note = noteOf(cut);
    expect(note.total).toBe(size);
    expect(cut.length).toBeLessThan(4_000);
    expect(cut.startsWith('line 0000000 abcdef')).toBe(true);
    expect(cut.endsWith('END OF DUMP\n')).toBe(true);
    expect(afterDump!.raw.length).toBeLessThan(30_000);

    const blob = blobOf(home, note.id);
    expect(blob.length).toBe(size);
    expect(createHash('sha256').update(blob).digest('hex')).toBe(note.id);
    expect(blob.subarray(0, note.offset).toString('utf8')).toBe(cut.slice(0, cut.indexOf('\n[... ')));
    expect(note.omitted).toBeGreaterThan(size - 4_000);
    expect(blob.subarray(blob.length - 1000).toString('utf8')).toBe(cut.slice(-1000));

    const page = lastContent(afterRead!);
    expect(page).toBe(`${blob.subarray(note.offset, note.offset + 1000).toString('utf8')}\n[bytes ${note.offset}-${note.offset + 1000} of ${size}; read on with offset ${note.offset + 1000}]`);

    const id = sessionIds(home)[0]!;
    const { records } = journalOf(home, id);
    expect(records.find((record) => record.kind === 'tool_end' && record.name === 'big__dump')).toMatchObject({ blob: { id: note.id, bytes: size } });
    expect(statSync(journalPath(home, id)).size).toBeLessThan(50_000);
    expect(peakAfterTool).toBeGreaterThan(0);
    expect(peakAfterTool).toBeLessThan(1024);
  });

  test('a tool that returns 50 MB over stdio: an error result the model can act on, a small prompt, bounded memory', async ({ server, endure, scratch }) => {
    const model = worker({ step: (k) => (k === 0 ? { toolCalls: [call('big__dump', { mb: 50 })] } : undefined), final: 'Gave up on the dump.' });
    const running = endure.exec(['--context-window', '16384', '--mcp-config', bigServerConfig(scratch), 'Dump 50 MB.']);
    let peakAfterTool = 0;
    server.respondWith((request) => {
      if (stepOf(request) === 1) peakAfterTool = peakRssMb(running.pid);
      return model(request);
    });
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Gave up on the dump.\n');
    const result = messagesOf(server.requests[1]!).at(-1)!;
    expect(result.role).toBe('tool');
    expect(result.content).toMatch(/The MCP server "big" stopped during the call/);
    expect(server.requests[1]!.raw.length).toBeLessThan(30_000);
    expect(peakAfterTool).toBeGreaterThan(0);
    expect(peakAfterTool).toBeLessThan(1024);
  });

  test('run_shell printing 50 MB: the shell keeps head and tail, the prompt gets less, read_output reads on', async ({ server, endure, home }) => {
    const command = "seq -f 'shell line %09.0f' 1 2500000";
    server.respondWith(readOnModel(call('run_shell', { command })));
    const run = await endure.exec(['--context-window', '16384', 'Print a lot and read past the cut.']).done;
    expect(run.code).toBe(0);

    const [, afterShell, afterRead] = server.requests;
    const cut = lastContent(afterShell!);
    const note = noteOf(cut);
    expect(cut.length).toBeLessThan(4_000);
    expect(cut).toMatch(/^exit code: 0\n/);
    const printed = Number(/\noutput: ([\d,]+) bytes in all;/.exec(cut)![1]!.replaceAll(',', ''));
    expect(printed).toBeGreaterThan(50 * MB);
    expect(cut).toContain('shell line 000000001\n');
    expect(cut.endsWith('shell line 002500000\n')).toBe(true);

    const blob = blobOf(home, note.id);
    expect(blob.length).toBe(note.total);
    expect(blob.length).toBeLessThan(64 * 1024);
    expect(blob.subarray(0, note.offset).toString('utf8')).toBe(cut.slice(0, cut.indexOf('\n[... ')));
    const page = lastContent(afterRead!);
    expect(page.startsWith(blob.subarray(note.offset, note.offset + 900).toString('utf8'))).toBe(true);
    expect(page).toMatch(new RegExp(`\\n\\[bytes ${note.offset}-\\d+ of ${note.total}; read on with offset \\d+\\]$`));
  });
});
