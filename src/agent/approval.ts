/**
 * Approval: which tool calls may run without asking, and the one memory of what
 * the person approved for the rest of the session. Read-only calls always run.
 * Then deny rules (user and project config) refuse; allow rules (user config) and
 * earlier "always" answers let a call run; the policy decides the rest: `auto`
 * runs, `deny` refuses, `ask` asks the Approver (the UI). Headless mode has no
 * Approver, so `ask` there refuses. Commands are parsed (shell-commands.ts) before
 * any rule is matched, and the scope an "always" would remember is computed here
 * and handed to the UI with the question, so what it shows is what is enforced.
 */
import type { ToolDescriptor } from '../mcp/types.js';
import { allows, alwaysScope, denies, formatRule, type ApprovalRule, type CallShape } from './approval-rules.js';
import type { ApprovalRequest, Approver } from './controls.js';
import { analyzeShell, MAX_COMMAND_BYTES, UNKNOWN_COMMAND } from './shell-commands.js';
import { loadShellParser } from './shell-parser.js';

export type { ApprovalRule } from './approval-rules.js';
export type ApprovalPolicy = 'ask' | 'auto' | 'deny';

export interface ApprovalConfig {
  policy: ApprovalPolicy;
  allow?: ApprovalRule[];
  deny?: ApprovalRule[];
}

export type ApprovalOutcome = { run: true } | { run: false; message: string };

function commandOf(args: Record<string, unknown>): string | undefined {
  return typeof args.command === 'string' ? args.command : undefined;
}

export function describeCall(tool: string, args: Record<string, unknown>): { summary: string; preview: string } {
  const command = commandOf(args);
  if (command !== undefined) return { summary: `${tool}: ${command.split('\n')[0]}`, preview: command };
  const path = typeof args.path === 'string' ? ` ${args.path}` : '';
  return { summary: `${tool}${path}`, preview: JSON.stringify(args, null, 2) };
}

/** The call as rules see it: its tool, and its command parsed into simple commands. */
export async function shapeOf(tool: string, args: Record<string, unknown>): Promise<CallShape> {
  const command = commandOf(args);
  if (command === undefined) return { tool };
  if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) return { tool, shell: { commands: [UNKNOWN_COMMAND], opaque: 'it is over 100 KB' } };
  return { tool, shell: analyzeShell(await loadShellParser(), command) };
}

function ruleOrigin(rule: ApprovalRule): string {
  return rule.from === undefined ? '' : ` (${rule.from})`;
}

/**
 * What the person answered "always" to, in the same rule shape as the config's
 * allow list. One per session: every run of the session (one per message in the
 * UI) gets a gate over the same memory.
 */
export class ApprovalMemory {
  readonly rules: ApprovalRule[] = [];
  /** One question at a time, so an "always" is applied before the next call is asked about. */
  asking: Promise<unknown> = Promise.resolve();

  remember(scope: ApprovalRule[]): void {
    const known = new Set(this.rules.map(formatRule));
    for (const rule of scope) if (!known.has(formatRule(rule))) this.rules.push({ ...rule, from: 'approved with "always" this session' });
  }
}

export class ApprovalGate {
  constructor(
    private readonly config: ApprovalConfig,
    private readonly approver?: Approver,
    private readonly memory = new ApprovalMemory(),
  ) {}

  async check(tool: ToolDescriptor, callId: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ApprovalOutcome> {
    if (tool.annotations.readOnlyHint === true) return { run: true };
    const shape = await shapeOf(tool.name, args);
    const denied = denies(this.config.deny ?? [], shape, 'definite');
    if (denied !== undefined)
      return { run: false, message: `${tool.name} is refused by the deny rule ${formatRule(denied)}${ruleOrigin(denied)}; do something else` };
    if (allows(this.config.allow ?? [], shape) || allows(this.memory.rules, shape)) return { run: true };
    // A line whose words are only known at run time may still be what a deny rule
    // refuses: a person can read it and decide; a policy cannot, so it refuses.
    const maybe = denies(this.config.deny ?? [], shape, 'possible');
    if (maybe !== undefined && (this.config.policy !== 'ask' || !this.approver))
      return {
        run: false,
        message: `${tool.name}: this command cannot be checked against the deny rule ${formatRule(maybe)}${ruleOrigin(maybe)} (${shape.shell?.opaque ?? 'some of its words are only known at run time'}); write it out plainly`,
      };
    if (this.config.policy === 'auto') return { run: true };
    if (this.config.policy === 'deny' || !this.approver)
      return { run: false, message: `${tool.name} needs approval and the approval policy refuses it; use read-only tools or finish` };
    const turn = this.memory.asking.then(() => this.ask(shape, { callId, tool: tool.name, args, ...describeCall(tool.name, args) }, signal));
    this.memory.asking = turn.catch(() => undefined);
    return turn;
  }

  /** The rules "always" has added this session. */
  get rememberedRules(): readonly ApprovalRule[] {
    return this.memory.rules;
  }

  private async ask(shape: CallShape, base: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome> {
    if (allows(this.memory.rules, shape)) return { run: true };
    const scope = alwaysScope(shape);
    const request: ApprovalRequest =
      scope === undefined
        ? { ...base, alwaysRefused: `not offered: ${shape.shell?.opaque ?? 'its program is only known at run time'}` }
        : { ...base, always: scope.map(formatRule).join(' and ') };
    const decision = await this.approver!(request, signal);
    if (decision === 'always' && scope !== undefined) this.memory.remember(scope);
    return decision === 'no'
      ? { run: false, message: `the user declined this ${base.tool} call; ask yourself why and try another way` }
      : { run: true };
  }
}
