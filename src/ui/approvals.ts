/**
 * What "always" means in the UI: the person's standing yes for a tool, narrowed to
 * a command prefix when the call runs a command. Remembered for this UI session only;
 * config rules and the auto/deny policies are the loop's business, applied before the
 * UI is asked.
 */
import type { ApprovalRequest } from '../agent/controls.js';

const CHAINING = /[;&|`<>\n]|\$\(/;

/**
 * The leading words of a command that an "always" covers: the program and, when the
 * second word is a subcommand (not an option, path or assignment), that too.
 * `npm test -- -w` → `npm test`; `ls -la` → `ls`; `git commit -m x` → `git commit`.
 */
export function commandPrefix(command: string): string[] {
  const words = command.trim().split(/\s+/).filter((word) => word !== '');
  const prefix = words.slice(0, 1);
  const second = words[1];
  if (second !== undefined && /^[A-Za-z][\w:.-]*$/.test(second)) prefix.push(second);
  return prefix;
}

function commandOf(request: ApprovalRequest): string | undefined {
  const command = request.args['command'];
  return typeof command === 'string' ? command : undefined;
}

export class ApprovalMemory {
  private readonly tools = new Set<string>();
  private readonly prefixes = new Map<string, string[][]>();

  remember(request: ApprovalRequest): void {
    const command = commandOf(request);
    if (command === undefined) {
      this.tools.add(request.tool);
      return;
    }
    const list = this.prefixes.get(request.tool) ?? [];
    list.push(commandPrefix(command));
    this.prefixes.set(request.tool, list);
  }

  /** True when an earlier "always" covers this call. A command that chains others is always asked. */
  allows(request: ApprovalRequest): boolean {
    const command = commandOf(request);
    if (command === undefined) return this.tools.has(request.tool);
    if (CHAINING.test(command)) return false;
    const words = command.trim().split(/\s+/);
    return (this.prefixes.get(request.tool) ?? []).some((prefix) => prefix.every((word, index) => words[index] === word));
  }

  /** How the remembered rule reads, for the prompt's "always" label. */
  describe(request: ApprovalRequest): string {
    const command = commandOf(request);
    return command === undefined ? `${request.tool}, any arguments` : `${request.tool} \`${commandPrefix(command).join(' ')} …\``;
  }
}
