/**
 * Approval policy: which tool calls may run without asking. Read-only calls
 * always run. Others follow the policy: `auto` runs them, `deny` refuses them,
 * `ask` asks the Approver (the UI). Config rules by tool and command prefix come
 * first: a deny rule refuses, an allow rule runs without asking. Headless mode
 * never asks: it has no Approver, so `ask` there behaves as `deny`.
 */
import type { ToolDescriptor } from '../mcp/types.js';
import type { ApprovalRequest, Approver } from './controls.js';

export type ApprovalPolicy = 'ask' | 'auto' | 'deny';

export interface ApprovalRule {
  tool: string;
  /** For run_shell: the command must start with this prefix. */
  prefix?: string;
}

export interface ApprovalConfig {
  policy: ApprovalPolicy;
  allow?: ApprovalRule[];
  deny?: ApprovalRule[];
}

export type ApprovalOutcome = { run: true } | { run: false; message: string };

function commandOf(args: Record<string, unknown>): string | undefined {
  return typeof args.command === 'string' ? args.command : undefined;
}

function matches(rule: ApprovalRule, tool: string, args: Record<string, unknown>): boolean {
  if (rule.tool !== tool && rule.tool !== '*') return false;
  if (rule.prefix === undefined) return true;
  return commandOf(args)?.trimStart().startsWith(rule.prefix) ?? false;
}

export function describeCall(tool: string, args: Record<string, unknown>): { summary: string; preview: string } {
  const command = commandOf(args);
  if (command !== undefined) return { summary: `${tool}: ${command.split('\n')[0]}`, preview: command };
  const path = typeof args.path === 'string' ? ` ${args.path}` : '';
  return { summary: `${tool}${path}`, preview: JSON.stringify(args, null, 2) };
}

export class ApprovalGate {
  private readonly always: ApprovalRule[] = [];
  constructor(
    private readonly config: ApprovalConfig,
    private readonly approver?: Approver,
  ) {}

  async check(
    tool: ToolDescriptor,
    callId: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ApprovalOutcome> {
    if (tool.annotations.readOnlyHint === true) return { run: true };
    if (this.config.deny?.some((rule) => matches(rule, tool.name, args)))
      return { run: false, message: `${tool.name} is denied by a rule in the config; do something else` };
    if (this.config.allow?.some((rule) => matches(rule, tool.name, args))) return { run: true };
    if (this.always.some((rule) => matches(rule, tool.name, args))) return { run: true };
    if (this.config.policy === 'auto') return { run: true };
    if (this.config.policy === 'deny' || !this.approver)
      return { run: false, message: `${tool.name} needs approval and the approval policy refuses it; use read-only tools or finish` };
    const request: ApprovalRequest = { callId, tool: tool.name, args, ...describeCall(tool.name, args) };
    const decision = await this.approver(request, signal);
    if (decision === 'always') {
      const command = commandOf(args);
      this.always.push({ tool: tool.name, prefix: command?.trimStart().split(/\s+/)[0] });
    }
    return decision === 'no'
      ? { run: false, message: `the user declined this ${tool.name} call; ask yourself why and try another way` }
      : { run: true };
  }
}
