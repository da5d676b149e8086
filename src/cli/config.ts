/**
 * Layered configuration: defaults < user config < project config < environment
 * < flags. Files are validated with zod and a bad one stops the run with a
 * ConfigError naming the file and the key (exit 2).
 *
 * A repository's own `.endure/config.json` is untrusted input: it may tune the
 * model and tighten rules, but keys that would send the code elsewhere or loosen
 * confinement (base URL, sandbox, network, approvals, passed env, push) are
 * ignored there with a warning. Those belong in the user's config or on the
 * command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseRule, type ApprovalRule } from '../agent/approval-rules.js';
import { userConfigPath } from '../mcp/config.js';
import { ConfigError } from '../shared/errors.js';

/** Checked one by one in approvalRules(), so that an error can name the rule. */
const rule = z.unknown();

export const configFileSchema = z
  .object({
    baseUrl: z.string().url(),
    model: z.string().min(1),
    server: z.enum(['auto', 'llama', 'vllm', 'sglang', 'ollama', 'dashscope', 'openrouter']),
    thinking: z.boolean(),
    preserveThinking: z.boolean(),
    sandbox: z.enum(['bwrap', 'host', 'container']),
    network: z.union([z.boolean(), z.object({ allow: z.array(z.string().min(1)).min(1) }).strict()]),
    containerImage: z.string().min(1),
    approval: z
      .object({ policy: z.enum(['ask', 'auto', 'deny']), allow: z.array(rule), deny: z.array(rule) })
      .partial()
      .strict(),
    budgets: z
      .object({
        maxTurns: z.number().int().positive(),
        maxToolCalls: z.number().int().positive(),
        maxTokens: z.number().int().positive(),
        deadline: z.string().min(1),
        repeatLimit: z.number().int().min(2),
      })
      .partial()
      .strict(),
    contextWindow: z.number().int().min(4096),
    compactAt: z.number().min(0.3).max(0.95),
    sampling: z
      .object({
        temperature: z.number(),
        top_p: z.number(),
        top_k: z.number().int(),
        min_p: z.number(),
        presence_penalty: z.number(),
        max_tokens: z.number().int().positive(),
      })
      .partial()
      .strict(),
    extraBody: z.record(z.string(), z.unknown()),
    secretEnv: z.array(z.string().min(1)),
    shell: z.object({ passEnv: z.array(z.string().min(1)) }).partial().strict(),
    git: z.object({ allowPush: z.boolean() }).partial().strict(),
    journal: z.object({ fsync: z.enum(['turn', 'always', 'never']) }).partial().strict(),
    /** llama-server with --slot-save-path: save the session's KV cache (at stops, before compactions, every N minutes of model time). */
    slotSave: z.object({ enabled: z.boolean(), everyMinutes: z.number().min(0) }).partial().strict(),
    /** Validated by src/mcp; kept opaque here. */
    mcpServers: z.record(z.string(), z.unknown()),
  })
  .partial()
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** Keys a repository's own config may not set (they loosen confinement or redirect the code). */
const UNTRUSTED_KEYS = ['baseUrl', 'sandbox', 'network', 'shell', 'git', 'extraBody', 'containerImage', 'mcpServers'] as const;


export function projectConfigPath(cwd: string): string {
  return join(cwd, '.endure', 'config.json');
}

/** Reads and validates one config file; undefined when it does not exist. */
export function readConfigFile(path: string): ConfigFile | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('invalid_json', `${path}: not valid JSON (${(error as Error).message}); fix or remove the file`);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)');
    const what = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new ConfigError('invalid_config', `${path}: key "${key}": ${what}; fix the file (see endure --help)`);
  }
  return parsed.data;
}

export interface LoadedConfig {
  config: ConfigFile;
  /** The user's allow and deny rules, plus the project's deny rules (never its allow rules). */
  approval: { allow: ApprovalRule[]; deny: ApprovalRule[] };
  /** One line each, for stderr. */
  warnings: string[];
  files: string[];
}

function merge(base: ConfigFile, over: ConfigFile): ConfigFile {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const previous = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && previous && typeof previous === 'object' && !Array.isArray(previous)
        ? { ...previous, ...value }
        : value;
  }
  return merged as ConfigFile;
}

/** User config, then the project's (untrusted keys dropped with a warning). */
export function loadConfigFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const warnings: string[] = [];
  const files: string[] = [];
  let config: ConfigFile = {};
  const approval: LoadedConfig['approval'] = { allow: [], deny: [] };
  const userPath = userConfigPath(env);
  const user = readConfigFile(userPath);
  if (user) {
    config = merge(config, user);
    files.push(userPath);
    approval.allow.push(...approvalRules(user.approval?.allow, userPath));
    approval.deny.push(...approvalRules(user.approval?.deny, userPath));
  }
  const projectPath = projectConfigPath(cwd);
  const project = readConfigFile(projectPath);
  if (project) {
    const safe: Record<string, unknown> = { ...project };
    for (const key of UNTRUSTED_KEYS) {
      if (key in safe) {
        delete safe[key];
        warnings.push(`${projectPath}: "${key}" ignored in a project config (set it in ${userPath} or by flag)`);
      }
    }
    // A repository must not approve its own commands: its allow rules are ignored (a
    // warning, not a stop, so a cloned repo with one still opens), its deny rules add up.
    delete safe.approval;
    if (project.approval?.policy || project.approval?.allow)
      warnings.push(`${projectPath}: approval policy and allow rules are ignored in a project config (put them in ${userPath}); its deny rules apply`);
    approval.deny.push(...approvalRules(project.approval?.deny, projectPath));
    config = merge(config, safe as ConfigFile);
    files.push(projectPath);
  }
  return { config, approval, warnings, files };
}

/** Validates approval rules; a rule that cannot be read stops the run naming the file and the rule. */
export function approvalRules(rules: unknown[] | undefined, path: string): ApprovalRule[] {
  return (rules ?? []).map((raw) => {
    const shown = JSON.stringify(raw);
    const fail = (why: string): never => {
      throw new ConfigError('invalid_rule', `${path}: approval rule ${shown}: ${why}; write e.g. {"tool": "run_shell", "command": "npm test *"}`);
    };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail('not an object');
    const { tool, command, ...rest } = raw as Record<string, unknown>;
    if ('prefix' in rest) return fail('"prefix" is replaced by "command" (whole words; a last word * for any further arguments)');
    const extra = Object.keys(rest);
    if (extra.length > 0) return fail(`unknown key "${extra[0]}"`);
    if (typeof tool !== 'string' || tool === '') return fail('"tool" must be a tool name');
    if (command !== undefined && typeof command !== 'string') return fail('"command" must be a string of words');
    try {
      return parseRule(command === undefined ? { tool } : { tool, command }, path);
    } catch (error) {
      return fail((error as Error).message);
    }
  });
}

/** Parses 90s, 30m, 2h, 1h30m, or plain seconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(trimmed); match; match = pattern.exec(trimmed)) {
    total += Number(match[1]) * unit[match[2]!]!;
    consumed = pattern.lastIndex;
  }
  if (consumed !== trimmed.length || total <= 0)
    throw new ConfigError('invalid_duration', `"${text}" is not a duration; use e.g. 90s, 30m, 2h or 1h30m`);
  return total;
}

/** The API key and the variable it came from; never a flag (it would show in ps). */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): { key?: string; variable?: string } {
  for (const variable of ['ENDURE_API_KEY', 'OPENAI_API_KEY', 'DASHSCOPE_API_KEY']) {
    const key = env[variable];
    if (key) return { key, variable };
  }
  return {};
}
