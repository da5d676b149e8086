/**
 * Turns flags, environment and config files into one validated Settings object
 * for a run. Precedence: flags > environment > project config > user config >
 * defaults. Every error is a ConfigError (exit 2) naming the flag or key.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApprovalConfig } from '../agent/approval.js';
import type { Budgets } from '../agent/stop-conditions.js';
import { parseAllowedHost, parseAllowList, type AllowedHost } from '../../sandboxes/network-allow.js';
import { ConfigError } from '../shared/errors.js';
import { apiKeyFromEnv, loadConfigFiles, parseDuration, type ConfigFile } from './config.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080/v1';

/** Flags shared by `endure` and `endure exec` (cli.md), as commander parses them. */
export interface RunFlags {
  baseUrl?: string;
  model?: string;
  server?: string;
  thinking?: string;
  cwd?: string;
  sandbox?: string;
  network?: string;
  worktree?: boolean;
  patch?: string;
  approval?: string;
  maxTurns?: string;
  maxToolCalls?: string;
  maxTokens?: string;
  deadline?: string;
  maxAgents?: string;
  contextWindow?: string;
  mcpConfig?: string[];
  trustProjectMcp?: boolean;
  /** False with --no-instructions. */
  instructions?: boolean;
  debug?: boolean;
}

export type ServerChoice = 'auto' | 'llama' | 'vllm' | 'sglang' | 'ollama' | 'dashscope' | 'openrouter';

export interface Settings {
  cwd: string;
  baseURL: string;
  model?: string;
  server: ServerChoice;
  thinking: boolean;
  preserveThinking?: boolean;
  apiKey?: string;
  apiKeyVariable?: string;
  /** Explicitly chosen by flag or config; otherwise bwrap when it works. */
  sandbox?: 'bwrap' | 'host' | 'container';
  network: boolean;
  /** `--network allow=...` / `network.allow`: only these hosts, through endure's proxy (network is then false). */
  networkAllow?: AllowedHost[];
  containerImage?: string;
  worktree: boolean;
  patchFile?: string;
  approval: ApprovalConfig;
  budgets: Budgets;
  /** Read subagents that run at the same time. @default 4 */
  maxAgents: number;
  contextWindow?: number;
  compactAt: number;
  sampling: ConfigFile['sampling'];
  extraBody?: Record<string, unknown>;
  /** Values never written to session files or logs. */
  secrets: string[];
  passEnv: string[];
  allowPush: boolean;
  fsync: 'turn' | 'always' | 'never';
  /** llama-server slot saving; `everyMs` is model time between periodic saves (0: only at stops and compactions). */
  slotSave: { enabled: boolean; everyMs: number };
  mcpConfigFiles: string[];
  trustProjectMcp: boolean;
  /** Read AGENTS.md files into the system prompt of a new session (off with --no-instructions). */
  instructions: boolean;
  warnings: string[];
  debug: boolean;
  /** How long a failing endpoint is retried in all (cli.md: 60 s). */
  retryBudgetMs: number;
  /** What flags or the environment set (a resumed session keeps its recorded values otherwise). */
  explicit: { baseURL: boolean; thinking: boolean };
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new ConfigError('invalid_flag', `${flag} must be a positive whole number, got "${value}"`);
  return number;
}

function allowListOf(where: string, parse: () => AllowedHost[]): AllowedHost[] {
  try {
    return parse();
  } catch (error) {
    throw new ConfigError('invalid_flag', `${where}: ${(error as Error).message}`);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError('invalid_flag', `${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

/** The endpoint URL from the first source that sets one, checked: http(s) with a host. */
function baseUrlFrom(flags: RunFlags, env: NodeJS.ProcessEnv, configured: string | undefined): string {
  const sources: [string, string | undefined][] = [
    ['--base-url', flags.baseUrl],
    ['ENDURE_BASE_URL', env.ENDURE_BASE_URL],
    ['OPENAI_BASE_URL', env.OPENAI_BASE_URL],
    ['baseUrl in the config', configured],
  ];
  const [source, value] = sources.find(([, candidate]) => candidate !== undefined) ?? ['default', DEFAULT_BASE_URL];
  let url: URL | undefined;
  try {
    url = new URL(value!);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw new ConfigError('invalid_flag', `${source} "${value}" is not an http(s) URL; give one like ${DEFAULT_BASE_URL}`);
  return value!;
}

export function resolveSettings(
  flags: RunFlags,
  mode: 'exec' | 'ui',
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const cwd = resolve(flags.cwd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    throw new ConfigError('invalid_flag', `--cwd ${flags.cwd}: not a directory; give an existing directory`);
  const { config, approval: rules, warnings } = loadConfigFiles(cwd, env);
  const { key, variable } = apiKeyFromEnv(env);
  const deadline = flags.deadline ?? config.budgets?.deadline;
  const thinking = oneOf('--thinking', flags.thinking, ['on', 'off'] as const);
  const allowFlag = flags.network?.startsWith('allow=') ? flags.network.slice('allow='.length) : undefined;
  const network = allowFlag === undefined ? oneOf('--network', flags.network, ['on', 'off'] as const) : undefined;
  const networkAllow = allowFlag !== undefined ? allowListOf('--network allow=', () => parseAllowList(allowFlag)) : network === undefined && typeof config.network === 'object' ? allowListOf('network.allow in the user config', () => config.network && typeof config.network === 'object' ? config.network.allow.map(parseAllowedHost) : []) : undefined;
  const secretNames = config.secretEnv ?? [];
  const secrets = [key, ...secretNames.map((name) => env[name])].filter((value): value is string => !!value);
  const contextWindow = positiveInt('--context-window', flags.contextWindow) ?? config.contextWindow;
  if (contextWindow !== undefined && contextWindow < 4096)
    throw new ConfigError('invalid_flag', `--context-window ${contextWindow} is too small; endure needs at least 4096 tokens (16384 recommended)`);
  if (flags.patch && !flags.worktree)
    throw new ConfigError('invalid_flag', '--patch needs --worktree (the patch is the worktree branch against its base)');
  // Checked before any work: the patch is written only at the end of the session.
  const patchDir = flags.patch ? dirname(resolve(flags.patch)) : undefined;
  if (patchDir && !statSync(patchDir, { throwIfNoEntry: false })?.isDirectory())
    throw new ConfigError('invalid_flag', `--patch ${flags.patch}: the directory ${patchDir} does not exist; give a file in an existing directory`);

  return {
    cwd,
    baseURL: baseUrlFrom(flags, env, config.baseUrl),
    model: flags.model ?? env.ENDURE_MODEL ?? config.model,
    server: oneOf('--server', flags.server, ['auto', 'llama', 'vllm', 'sglang', 'ollama', 'dashscope', 'openrouter'] as const) ?? config.server ?? 'auto',
    thinking: thinking ? thinking === 'on' : (config.thinking ?? true),
    preserveThinking: config.preserveThinking,
    apiKey: key,
    apiKeyVariable: variable,
    sandbox: oneOf('--sandbox', flags.sandbox, ['bwrap', 'host', 'container'] as const) ?? config.sandbox,
    network: network ? network === 'on' : config.network === true,
    ...(networkAllow ? { networkAllow } : {}),
    containerImage: config.containerImage,
    worktree: flags.worktree ?? false,
    patchFile: flags.patch ? resolve(flags.patch) : undefined,
    approval: {
      policy: oneOf('--approval', flags.approval, ['ask', 'auto', 'deny'] as const) ?? config.approval?.policy ?? (mode === 'ui' ? 'ask' : 'auto'),
      allow: rules.allow,
      deny: rules.deny,
    },
    budgets: {
      maxTurns: positiveInt('--max-turns', flags.maxTurns) ?? config.budgets?.maxTurns,
      maxToolCalls: positiveInt('--max-tool-calls', flags.maxToolCalls) ?? config.budgets?.maxToolCalls,
      maxTokens: positiveInt('--max-tokens', flags.maxTokens) ?? config.budgets?.maxTokens,
      deadlineMs: deadline === undefined ? undefined : parseDuration(deadline),
      repeatLimit: config.budgets?.repeatLimit,
    },
    maxAgents: positiveInt('--max-agents', flags.maxAgents) ?? 4,
    contextWindow,
    compactAt: config.compactAt ?? 0.8,
    sampling: config.sampling,
    extraBody: config.extraBody,
    secrets,
    passEnv: config.shell?.passEnv ?? [],
    allowPush: config.git?.allowPush ?? false,
    fsync: config.journal?.fsync ?? 'turn',
    slotSave: { enabled: config.slotSave?.enabled ?? true, everyMs: (config.slotSave?.everyMinutes ?? 5) * 60_000 },
    mcpConfigFiles: (flags.mcpConfig ?? []).map((file) => resolve(file)),
    trustProjectMcp: flags.trustProjectMcp ?? false,
    instructions: flags.instructions ?? true,
    warnings,
    debug: flags.debug ?? false,
    retryBudgetMs: /^\d+$/.test(env.ENDURE_RETRY_BUDGET_MS ?? "") ? Number(env.ENDURE_RETRY_BUDGET_MS) : env.ENDURE_RETRY_BUDGET_MS ? parseDuration(env.ENDURE_RETRY_BUDGET_MS) : 60_000,
    explicit: {
      baseURL: Boolean(flags.baseUrl ?? env.ENDURE_BASE_URL ?? env.OPENAI_BASE_URL),
      thinking: thinking !== undefined,
    },
  };
}
