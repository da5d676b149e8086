/**
 * The MCP conformance suite's non-OAuth client scenarios, run against a small
 * client built on endure's tool host (compiled: run `npm run build` first).
 * The suite's console output is kept and shown only when a scenario fails.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { test } from './support.js';

const run = promisify(execFile);
const CLI = resolve('node_modules/@modelcontextprotocol/conformance/dist/index.js');
const CLIENT = resolve('dist/test/support/mcp-servers/conformance-client.js');
const SCENARIOS = ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry'];

describe('MCP conformance, client scenarios', () => {
  test('every non-OAuth client scenario passes for the tool host', async ({ tempDir }) => {
    expect(existsSync(CLIENT), `${CLIENT} is missing: run npm run build first`).toBe(true);
    const outcomes = await Promise.all(
      SCENARIOS.map(async (scenario) => {
        try {
          const { stdout, stderr } = await run(
            process.execPath,
            [CLI, 'client', '--command', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLIENT)}`, '--scenario', scenario, '-o', resolve(tempDir, scenario)],
            { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
          );
          const output = `${stdout}${stderr}`;
          return { scenario, passed: output.includes('OVERALL: PASSED'), output };
        } catch (error) {
          const failed = error as { stdout?: string; stderr?: string; message: string };
          return { scenario, passed: false, output: `${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}` };
        }
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome.passed, `conformance scenario ${outcome.scenario} failed:\n${outcome.output}`).toBe(true);
    }
  }, 120_000);
});
