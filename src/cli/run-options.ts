/**
 * The options shared by `endure` and `endure exec` (cli.md), declared once.
 */
import { Option, type Command } from 'commander';

export function addRunOptions(command: Command): Command {
  return command
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default http://127.0.0.1:8080/v1; env ENDURE_BASE_URL)')
    .option('--model <name>', "model name (default: the server's first model; env ENDURE_MODEL)")
    .addOption(new Option('--server <kind>', 'server dialect').choices(['auto', 'llama', 'vllm', 'sglang', 'ollama', 'dashscope', 'openrouter']))
    .addOption(new Option('--thinking <on|off>', 'reasoning mode (default on)').choices(['on', 'off']))
    .option('--cwd <dir>', 'the workspace (default: the current directory)')
    .addOption(new Option('--sandbox <kind>', 'where tools run (default: bwrap when it works)').choices(['bwrap', 'host', 'container']))
    .addOption(new Option('--network <on|off|allow=HOST[:PORT],...>', 'network inside the sandbox (default off); allow=... reaches only those hosts, through a proxy'))
    .option('--worktree', 'work on a branch endure/<session> in a git worktree')
    .option('--patch <file>', 'with --worktree: write the work as a patch file at the end')
    .addOption(new Option('--approval <policy>', 'ask, auto or deny for calls that change things').choices(['ask', 'auto', 'deny']))
    .option('--max-turns <n>', 'stop after this many model turns (exit 3)')
    .option('--max-tool-calls <n>', 'stop after this many tool calls (exit 3)')
    .option('--max-tokens <n>', 'stop after this many prompt + completion tokens (exit 3)')
    .option('--deadline <duration>', 'stop after this long, e.g. 90s, 30m, 2h (exit 3)')
    .option('--max-agents <n>', 'read subagents (task tool) that run at the same time (default 4)')
    .option('--context-window <n>', 'context window in tokens (default: from the server)')
    .option('--mcp-config <file>', 'extra MCP servers file (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--trust-project-mcp', "start the project's .mcp.json servers without asking")
    .option('--no-instructions', 'leave AGENTS.md (QWEN.md, CLAUDE.md) out of the system prompt')
    .option('--debug', 'print stack traces');
}
