/**
 * The client side of the MCP conformance suite, driven through endure's own
 * tool host: `conformance client --command "node <this file>"` appends the mock
 * server's URL as the last argument. It connects as a user HTTP server, calls
 * every tool with simple arguments built from the converted schema, and answers
 * elicitation as a user who accepts the pre-filled form.
 */
import { acceptDefaults } from '../../../src/mcp/elicitation.js';
import { createToolHost } from '../../../src/mcp/host.js';

const url = process.argv.at(-1);
if (url === undefined || !/^https?:/.test(url)) {
  process.stderr.write('usage: conformance-client <server url>\n');
  process.exit(2);
}

const started = Date.now();
const elapsed = () => `${Date.now() - started} ms`;
const host = await createToolHost({
  projectRoot: process.cwd(),
  servers: [{ name: 'conformance', layer: 'flag', file: 'conformance', config: { transport: 'http', url, headers: {} } }],
  handlers: { elicit: acceptDefaults },
  log: (entry) => process.stderr.write(`[${entry.server} ${entry.kind}] ${entry.message}\n`),
});
const failedToStart = host.warnings().some((warning) => warning.includes('did not start'));
for (const warning of host.warnings()) process.stderr.write(`warning: ${warning}\n`);
process.stderr.write(`connected and listed after ${elapsed()}\n`);

for (const tool of host.tools()) {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string }>;
  const args = Object.fromEntries(
    Object.entries(properties).map(([name, schema]) => [
      name,
      schema.type === 'number' || schema.type === 'integer' ? 1 : schema.type === 'boolean' ? true : 'x',
    ]),
  );
  const result = await host.call(tool.name, args);
  process.stdout.write(`${tool.name}: ${result.isError ? 'error: ' : ''}${result.text}\n`);
}
process.stderr.write(`calls done after ${elapsed()}\n`);
await host.close();
process.stderr.write(`closed after ${elapsed()}\n`);
process.exit(failedToStart ? 1 : 0);
