/**
 * The UI's first frame does not wait for the model server (src/cli/opening-driver.ts):
 * in a real terminal, with a gate in front of the scripted server that holds its
 * /v1/models until the test lets it through, the prompt box is up and takes a
 * task while the endpoint is still being probed; the task is sent once the
 * session opens. A server that refuses ends the UI with the one-line error, and
 * a quit while the probe hangs leaves no session behind.
 */
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { makeRepo, sessionIds } from '../support/e2e-fixtures.js';
import { uiTest as test } from './support/tmux.js';

interface Gate {
  url: string;
  /** Resolves when endure's probe of /v1/models has arrived (and is being held). */
  probed: Promise<void>;
  /** Lets the held probe, and every later one, through. */
  open(): void;
  close(): Promise<void>;
}

/** A real HTTP hop in front of `target`: holds GET …/models until opened, or answers it with `refuse`. */
async function startGate(target: string, refuse?: { status: number; body: string }): Promise<Gate> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let probed!: () => void;
  const arrived = new Promise<void>((resolve) => (probed = resolve));
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      if (incoming.url?.endsWith('/models')) {
        probed();
        if (refuse) {
          outgoing.writeHead(refuse.status, { 'content-type': 'application/json' }).end(refuse.body);
          return;
        }
        await released;
      }
      const proxied = forward({ host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      proxied.on('error', () => outgoing.destroy());
      incoming.pipe(proxied);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    probed: arrived,
    open: release,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the UI while its session opens', { timeout: 120_000 }, () => {
  test('the prompt box takes a task while the server is probed; the task goes once the session is open', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work');
    const gate = await startGate(server.url);
    try {
      server.respondWith(() => ({ content: 'Opened and answered.' }));
      await terminal.endure(['--base-url', gate.url, '--sandbox', 'host', '--cwd', repo]);
      await gate.probed;
      const first = await terminal.waitFor('what should the agent do?');
      expect(first).toContain(`connecting to ${gate.url}`);
      expect(first).not.toContain('◆ session');
      await terminal.type('say something');
      await terminal.waitFor('› say something');
      await terminal.press('Enter');
      await terminal.type('/status');
      await terminal.press('Enter');
      await terminal.waitFor(`connecting to ${gate.url}`);
      expect(sessionIds(home)).toEqual([]);
      expect(server.requestCount).toBe(0);

      gate.open();
      const answered = await terminal.waitFor('Opened and answered.');
      expect(answered).toMatch(/◆ session [\w-]+ started · qwen3\.6-27b on llama · sandbox host/);
      expect(answered).toMatch(/qwen3\.6-27b · llama · sandbox host · session [\w-]+/);
      expect(server.requestCount).toBe(1);
      expect(JSON.stringify(server.requests[0]!.body.messages.at(-1))).toContain('say something');
      await terminal.press('C-c');
      await terminal.press('C-c');
      expect(await terminal.exitStatus()).toBe(0);
      expect(sessionIds(home)).toHaveLength(1);
    } finally {
      await gate.close();
    }
  });

  test('a server that refuses ends the UI with its one-line error and exit code', async ({ scratch, server, terminal }) => {
    const repo = makeRepo(scratch, 'work');
    const gate = await startGate(server.url, { status: 401, body: '{"error":{"message":"invalid api key"}}' });
    try {
      await terminal.endure(['--base-url', gate.url, '--sandbox', 'host', '--cwd', repo]);
      const ended = await terminal.waitFor(`endure: the model server at ${gate.url} refused the API key`);
      expect(ended).toContain('invalid api key');
      expect(await terminal.exitStatus()).not.toBe(0);
      expect(server.requestCount).toBe(0);
    } finally {
      await gate.close();
    }
  });

  test('quitting while the server is probed ends at once and leaves no session', async ({ scratch, server, home, terminal }) => {
    const repo = makeRepo(scratch, 'work');
    const gate = await startGate(server.url);
    try {
      await terminal.endure(['--base-url', gate.url, '--sandbox', 'host', '--cwd', repo]);
      await gate.probed;
      await terminal.waitFor('what should the agent do?');
      await terminal.press('C-c');
      await terminal.press('C-c');
      expect(await terminal.exitStatus()).toBe(0);
      expect(sessionIds(home)).toEqual([]);
      expect(server.requestCount).toBe(0);
    } finally {
      await gate.close();
    }
  });
});
