import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { builtServerEntry, REPO_ROOT, toolServerTest as test, withTempDir } from '../support/mcp-fixtures.js';
import { type StdioHttpBridge, startStdioHttpBridge } from '../support/stdio-http-bridge.js';

const CONFORMANCE_CLI = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const EXPECTED_FAILURES = join(REPO_ROOT, 'test', 'tools', 'conformance-expected-failures.yml');

interface CliRun {
  exitCode: number;
  output: string;
}

/** Runs the conformance CLI with its output captured (its "Total: N passed, N failed" line must not reach CI's log). */
function runConformance(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CONFORMANCE_CLI, ...args], { timeout: 150_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

let bridge: StdioHttpBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

describe('official MCP conformance suite against the fs server (stdio, through the HTTP bridge)', () => {
  test(
    'passes every scenario except those needing fixtures we do not ship',
    async ({ workspace }) => {
      bridge = await startStdioHttpBridge({ command: process.execPath, args: [builtServerEntry('fs'), '--root', workspace] });
      const url = bridge.url;
      const run = await withTempDir('endure-conformance-', (results) =>
        runConformance(['server', '--url', url, '--expected-failures', EXPECTED_FAILURES, '-o', results]),
      );
      if (run.exitCode !== 0) {
        const tail = run.output.split('\n').filter((line) => /✗|✓|stale|Unexpected|Error|error/.test(line)).slice(-60).join('\n');
        expect.fail(`conformance exited ${run.exitCode}:\n${tail}`);
      }
      expect(run.output).toMatch(/tools-list: 1 passed, 0 failed/);
    },
    180_000,
  );
});
