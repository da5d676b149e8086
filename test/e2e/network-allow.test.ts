/**
 * `--network allow=...` through the real `endure exec` on bubblewrap: the model's
 * curl reaches the allowed server (127.0.0.2) and gets the refusal for the other
 * (127.0.0.3), the refused host is recorded in the journal, and a bad list or a
 * backend that cannot keep other routes closed stops the run with exit 2.
 */
import { createServer, type Server } from 'node:http';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, planModel, sessionIds } from '../support/e2e-fixtures.js';

function listen(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((_request, response) => response.end(`hello from ${host}\n`));
    server.listen(0, host, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('exec --network allow=...', { timeout: 120_000 }, () => {
  test('the allowed host answers, the other is refused and journaled', async ({ server, endure, home }) => {
    const allowed = await listen('127.0.0.2');
    const other = await listen('127.0.0.3');
    try {
      server.respondWith(
        planModel([
          { toolCalls: [call('run_shell', { command: `curl -sS -m 10 http://127.0.0.2:${allowed.port}/` })] },
          { toolCalls: [call('run_shell', { command: `curl -sS -m 10 http://127.0.0.3:${other.port}/` })] },
        ]),
      );
      const run = await endure.exec(['--network', `allow=127.0.0.2:${allowed.port}`, 'fetch both'], { sandbox: 'bwrap' }).done;
      expect(run.stderr).toContain(`the network allow-list refused 127.0.0.3:${other.port}`);
      expect(run.code).toBe(0);
      const results = (server.requests.at(-1)!.body.messages as { role: string; content?: unknown }[])
        .filter((message) => message.role === 'tool')
        .map((message) => String(message.content));
      expect(results[0]).toContain('hello from 127.0.0.2');
      expect(results[1]).toContain(`endure: 127.0.0.3:${other.port} is not on the network allow-list`);
      const { records } = journalOf(home, sessionIds(home)[0]!);
      expect(records.filter((record) => record.kind === 'error')).toEqual([
        expect.objectContaining({ code: 'network_refused', message: expect.stringContaining(`127.0.0.3:${other.port}`) }),
      ]);
    } finally {
      allowed.server.close();
      other.server.close();
    }
  });

  test.for([
    [['--network', 'allow=exa mple.com'], 'bwrap', '"exa mple.com" is not HOST or HOST:PORT'],
    [['--network', 'allow='], 'bwrap', 'the allow-list is empty'],
    [['--network', 'allow=127.0.0.2:80'], 'host', 'needs --sandbox bwrap'],
  ] as const)('exit 2 for %j with --sandbox %s', async ([flags, sandbox, why], { endure, home }) => {
    const run = await endure.exec([...flags, 'fetch'], { sandbox }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(why);
    expect(sessionIds(home)).toEqual([]);
  });
});
