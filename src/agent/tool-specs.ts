/**
 * The tools as the model sees them: the host's descriptors plus the loop's own
 * local tools, in a fixed order, rendered once per run into OpenAI function specs.
 */
import type { ToolDescriptor } from '../mcp/types.js';
import type { ToolSpec } from '../model/types.js';

export function toToolSpecs(descriptors: readonly ToolDescriptor[]): ToolSpec[] {
  return descriptors.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
}
