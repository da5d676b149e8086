import { describe, expect } from 'vitest';
import { createFsServer } from '../../tools/fs/fs-server.js';
import { connectInMemory, toolServerTest as test } from '../support/mcp-fixtures.js';

/** What one tool costs in the first request: name, description and parameters, as a model API gets them. */
function promptBytes(tool: { name: string; description?: string | undefined; inputSchema: Record<string, unknown> }): number {
  const { $schema: _dialect, ...parameters } = tool.inputSchema;
  return Buffer.byteLength(JSON.stringify({ name: tool.name, description: tool.description, parameters }));
}

describe('fs tool schemas as the client sees them', () => {
  test('match the snapshot (what the model sees)', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'edit_file', 'multi_edit', 'glob', 'grep', 'list_dir']);
    for (const tool of tools) {
      expect({ description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations }).toMatchSnapshot(tool.name);
    }
  });

  test('every tool sets readOnlyHint, destructiveHint and idempotentHint explicitly', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const { tools } = await client.listTools();
    const hints = Object.fromEntries(
      tools.map((tool) => [tool.name, [tool.annotations?.readOnlyHint, tool.annotations?.destructiveHint, tool.annotations?.idempotentHint]]),
    );
    expect(hints).toEqual({
      read_file: [true, false, true],
      write_file: [false, true, true],
      edit_file: [false, true, false],
      multi_edit: [false, true, false],
      glob: [true, false, true],
      grep: [true, false, true],
      list_dir: [true, false, true],
    });
  });

  test('each tool stays within its share of the 15 KB first request', async ({ workspace }) => {
    const client = await connectInMemory(createFsServer({ root: workspace }));
    const { tools } = await client.listTools();
    const sizes = Object.fromEntries(tools.map((tool) => [tool.name, promptBytes(tool)]));
    for (const [name, bytes] of Object.entries(sizes)) expect(bytes, name).toBeLessThanOrEqual(500);
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(7 * 450);
  });
});
