/**
 * `endure mcp list|add|remove|test|trust`: user MCP servers from the command
 * line. Reading, validating, trusting and running servers is src/mcp's job;
 * this module parses arguments and prints. Config errors exit 2 with one line.
 */
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, oneLine } from '../../shared/errors.js';
import { addServerEntry, removeServerEntry } from '../../mcp/config-edit.js';
import { loadMcpConfig, projectConfigPath, userConfigPath, type ConfiguredServer, type LoadedMcpConfig } from '../../mcp/config.js';
import { createToolHost } from '../../mcp/host.js';
import { createTrustStore, stateHome, untrustedServers } from '../../mcp/trust.js';

/** Where the commands read and write; the defaults are the real process. */
export interface McpCommandIo {
  stdout: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: () => string;
}

interface CommonOptions {
  cwd?: string;
  mcpConfig?: string[];
  trustProjectMcp?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMcpCommands(program: Command, io: Partial<McpCommandIo> = {}): void {
  const out = io.stdout ?? ((text: string) => process.stdout.write(text));
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? (() => process.cwd());
  const mcp = program.command('mcp').description('manage MCP servers (.mcp.json, the user config, --mcp-config)');
  const common = (command: Command) =>
    command
      .option('--cwd <dir>', 'project directory (where .mcp.json lives)')
      .option('--mcp-config <file>', 'an extra mcpServers file (repeatable)', collect);

  const context = (command: Command) => {
    const options = command.optsWithGlobals<CommonOptions>();
    const projectRoot = resolve(cwd(), options.cwd ?? '.');
    return { options, projectRoot, trust: createTrustStore(stateHome(env)) };
  };
  const load = (projectRoot: string, options: CommonOptions) =>
    loadMcpConfig({ projectRoot, env, configFiles: options.mcpConfig ?? [] });
  const guard = (command: Command, action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (error) {
      if (error instanceof ConfigError) command.error(`endure: ${oneLine(error)}`, { exitCode: 2, code: 'endure.config' });
      throw error;
    }
  };

  const list = common(mcp.command('list').description('every configured server, its source and trust'))
    .option('--json', 'print one JSON array');
  list.action(guard(list, async () => {
    const { options, projectRoot, trust } = context(list);
    const loaded = await load(projectRoot, options);
    const untrusted = new Set(untrustedServers(loaded, projectRoot, trust).map((server) => server.name));
    const rows = loaded.entries.map((entry) => ({
      name: entry.name,
      transport: entry.config.transport,
      target: entry.config.transport === 'stdio' ? [entry.config.command, ...entry.config.args].join(' ') : entry.config.url,
      source: entry.layer,
      file: entry.file,
      state: entry.shadowed ? 'overridden' : entry.config.disabled ? 'disabled' : untrusted.has(entry.name) && entry.layer === 'project' ? 'untrusted' : 'enabled',
    }));
    if (list.opts<{ json?: boolean }>().json) return out(`${JSON.stringify(rows)}\n`);
    if (rows.length === 0) return out(`No MCP servers. Add one with: endure mcp add <name> -- <command...>\n`);
    for (const row of rows) out(`${row.name}  ${row.transport}  ${row.target}\n    ${row.source} (${row.file}), ${row.state}\n`);
    if (untrusted.size > 0) out(`Project servers start only after "endure mcp trust" (or --trust-project-mcp).\n`);
  }));

  const add = mcp.command('add').description('add a server: add <name> -- <command...>, or add <name> --url URL')
    .argument('<name>', 'server name')
    .argument('[command...]', 'the stdio command and its arguments (after --)')
    .option('--url <url>', 'a Streamable HTTP (or --transport sse) server URL')
    .addOption(new Option('--transport <kind>', 'for --url').choices(['http', 'sse']).default('http'))
    .option('--env <KEY=VALUE>', 'environment for a stdio server (repeatable)', collect)
    .option('--header <Name: value>', 'HTTP header (repeatable)', collect)
    .option('--timeout <ms>', 'idle timeout per call, reset by progress')
    .option('--project', "write to the project's .mcp.json instead of the user config")
    .option('--cwd <dir>', 'project directory');
  add.action(guard(add, async () => {
    const [name, command] = add.processedArgs as [string, string[]];
    const options = add.opts<{ url?: string; transport: string; env?: string[]; header?: string[]; timeout?: string; project?: boolean; cwd?: string }>();
    if ((options.url === undefined) === (command.length === 0)) {
      throw new ConfigError('usage', 'give either a command after -- or --url, not both or neither');
    }
    const entry: Record<string, unknown> = options.url !== undefined
      ? { type: options.transport, url: options.url, ...(options.header ? { headers: pairs(options.header, ':', '--header') } : {}) }
      : { command: command[0], args: command.slice(1), ...(options.env ? { env: pairs(options.env, '=', '--env') } : {}) };
    if (options.timeout !== undefined) entry.timeout = Number(options.timeout);
    const file = options.project ? projectConfigPath(resolve(cwd(), options.cwd ?? '.')) : userConfigPath(env);
    addServerEntry(file, name, entry);
    out(`Added MCP server "${name}" to ${file}\n`);
  }));

  const remove = mcp.command('remove').description('remove a server from the user config (or --project)')
    .argument('<name>', 'server name')
    .option('--project', "remove from the project's .mcp.json")
    .option('--cwd <dir>', 'project directory');
  remove.action(guard(remove, async () => {
    const [name] = remove.processedArgs as [string];
    const options = remove.opts<{ project?: boolean; cwd?: string }>();
    const file = options.project ? projectConfigPath(resolve(cwd(), options.cwd ?? '.')) : userConfigPath(env);
    if (!removeServerEntry(file, name)) throw new ConfigError('no_server', `${file}: no server named "${name}"; see "endure mcp list"`);
    out(`Removed MCP server "${name}" from ${file}\n`);
  }));

  const test = common(mcp.command('test').description('start a server, list its tools and schemas, time a round trip'))
    .argument('<name>', 'server name')
    .option('--trust-project-mcp', "allow the project's .mcp.json servers without approval");
  test.action(guard(test, async () => {
    const [name] = test.processedArgs as [string];
    const { options, projectRoot, trust } = context(test);
    const loaded = await load(projectRoot, options);
    const server = findServer(loaded, name);
    if (untrustedServers(loaded, projectRoot, trust, options.trustProjectMcp).some((item) => item.name === name)) {
      throw new ConfigError('untrusted', `server "${name}" comes from ${server.file}, which is not trusted; run "endure mcp trust" first`);
    }
    const started = performance.now();
    const host = await createToolHost({ projectRoot, servers: [{ ...server, config: { ...server.config, disabled: false } }], backoff: { initialMs: 0, maxMs: 0, maxRestarts: 0 } });
    try {
      const startMs = performance.now() - started;
      const failure = host.warnings().find((warning) => warning.includes('did not start'));
      if (failure) test.error(`endure: ${failure}`, { exitCode: 1, code: 'endure.mcp' });
      const rtt = await host.ping(name);
      out(`${name}: started and listed in ${startMs.toFixed(0)} ms, ping ${rtt.toFixed(1)} ms, ${host.tools().length} tools\n`);
      for (const warning of host.warnings()) out(`warning: ${warning}\n`);
      for (const tool of host.tools()) {
        out(`\n${tool.name}${tool.name !== `${name}__${tool.mcpName}` ? ` (${tool.mcpName})` : ''}\n  ${tool.description.split('\n')[0] ?? ''}\n  ${JSON.stringify(tool.inputSchema)}\n`);
      }
    } finally {
      await host.close();
    }
  }));

  const trustCommand = common(mcp.command('trust').description("approve the project's .mcp.json as it is now"));
  trustCommand.action(guard(trustCommand, async () => {
    const { options, projectRoot, trust } = context(trustCommand);
    const loaded = await load(projectRoot, options);
    if (loaded.projectFile === undefined) throw new ConfigError('no_project_config', `${join(projectRoot, '.mcp.json')}: not found; nothing to trust`);
    trust.trust(projectRoot, loaded.projectFile.content);
    const names = loaded.entries.filter((entry) => entry.layer === 'project').map((entry) => entry.name);
    out(`Trusted ${loaded.projectFile.path} (${names.length} servers: ${names.join(', ') || 'none'}); a change to the file asks again.\n`);
  }));
}

function findServer(loaded: LoadedMcpConfig, name: string): ConfiguredServer {
  const server = loaded.servers.find((candidate) => candidate.name === name);
  if (server === undefined) {
    const known = loaded.servers.map((candidate) => candidate.name).join(', ') || 'none';
    throw new ConfigError('no_server', `no MCP server named "${name}" (configured: ${known}); see "endure mcp list"`);
  }
  return server;
}

function pairs(items: string[], separator: string, flag: string): Record<string, string> {
  return Object.fromEntries(items.map((item) => {
    const at = item.indexOf(separator);
    if (at <= 0) throw new ConfigError('usage', `${flag} "${item}" needs the form NAME${separator === '=' ? '=' : ': '}VALUE`);
    return [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  }));
}
