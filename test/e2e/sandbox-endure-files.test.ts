/**
 * endure's own files are out of the sandbox's reach: another session's journal
 * (other projects' conversations) and the user config (an MCP server's env may hold
 * a token) are masked in bwrap like ~/.ssh. They live outside /tmp here, as they do
 * for a person (bwrap's /tmp is private, which would hide them anyway); the same
 * command with --sandbox host reads both, so the test can tell.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, journalOf, planModel, sessionIds } from '../support/e2e-fixtures.js';

const JOURNAL_SECRET = 'another project talked about 4f1d-journal-secret';
const CONFIG_TOKEN = 'tok-9b27-config-secret';

describe("endure's own files in the sandbox", { timeout: 120_000 }, () => {
  test('bwrap masks every session journal and the user config; host does not', async ({ server, endure }) => {
    const outside = mkdtempSync('/var/tmp/endure-e2e-');
    try {
      const home = join(outside, 'home');
      const config = join(outside, 'config');
      mkdirSync(join(home, 'sessions', 'earlier'), { recursive: true });
      writeFileSync(join(home, 'sessions', 'earlier', 'notes.txt'), `${JOURNAL_SECRET}\n`);
      mkdirSync(join(config, 'endure'), { recursive: true });
      writeFileSync(join(config, 'endure', 'config.json'), JSON.stringify({ mcpServers: { tracker: { command: 'true', env: { TRACKER_TOKEN: CONFIG_TOKEN }, disabled: true } } }));
      const command = `cat ${join(home, 'sessions', 'earlier', 'notes.txt')} ${join(config, 'endure', 'config.json')}; echo read`;
      server.respondWith(planModel([{ toolCalls: [call('run_shell', { command })] }], 'Done.'));

      for (const sandbox of ['bwrap', 'host']) {
        const run = await endure.exec(['read them'], { sandbox, home, env: { XDG_CONFIG_HOME: config } }).done;
        expect(run.code, run.stderr).toBe(0);
        const id = sessionIds(home).filter((name) => name !== 'earlier').find((name) => journalOf(home, name).records.some((record) => record.kind === 'session_start' && record.sandbox === sandbox))!;
        const result = journalOf(home, id).records.find((record) => record.kind === 'tool_end');
        const text = result?.kind === 'tool_end' ? result.content : '';
        expect(text).toContain('read');
        if (sandbox === 'bwrap') {
          expect(text).not.toContain(JOURNAL_SECRET);
          expect(text).not.toContain(CONFIG_TOKEN);
        } else {
          expect(text).toContain(JOURNAL_SECRET);
          expect(text).toContain(CONFIG_TOKEN);
        }
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
