/**
 * Approval rules (cli.md, "Approval rules"): a tool, and for a shell tool the
 * words of a command, matched whole word by word against each simple command of
 * the parsed line; a last word `*` stands for any further arguments. The same
 * rules come from the user's config, a project's deny list, and the person's "a"
 * (always) in the UI, so what the UI shows is what is enforced.
 */
import { basename } from 'node:path';
import type { ShellAnalysis, SimpleCommand } from './shell-commands.js';

export interface CommandPattern {
  /** Literal words, in order. */
  words: string[];
  /** The rule ended with `*`: any further arguments (none included). */
  anyTail: boolean;
}

export interface ApprovalRule {
  tool: string;
  /** For a tool that runs a command; absent: any call of the tool. */
  command?: CommandPattern;
  /** Where the rule came from (a config file, or the session's "always"), for messages. */
  from?: string;
}

/** A rule as written in a config file. */
export interface RuleSource {
  tool: string;
  command?: string;
}

/**
 * Reads a rule's command into words. Words are separated by blanks and may be
 * quoted with '…' or "…"; shell syntax is refused rather than guessed at.
 */
export function parseCommandPattern(text: string): CommandPattern {
  const words: string[] = [];
  const quoted: boolean[] = [];
  const pattern = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+))/gy;
  const rest = text.trim();
  while (pattern.lastIndex < rest.length) {
    const start = pattern.lastIndex;
    const match = pattern.exec(rest);
    if (match === null || match.index !== start) throw new Error('an unterminated quote');
    if (match[3] !== undefined) {
      if (/[$`;&|<>(){}\\]/.test(match[3])) throw new Error(`"${match[3]}" is shell syntax; a rule is plain words`);
      if (/[*?[]/.test(match[3]) && match[3] !== '*') throw new Error(`"${match[3]}": * only as a word of its own, at the end`);
    }
    words.push(match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? match[3]!);
    quoted.push(match[3] === undefined);
  }
  const anyTail = words.length > 0 && words.at(-1) === '*' && !quoted.at(-1);
  if (anyTail) words.pop();
  if (words.some((word, index) => word === '*' && !quoted[index]))
    throw new Error('* only as the last word');
  if (words.length === 0) throw new Error('a command needs at least its program (e.g. "npm test *")');
  return { words, anyTail };
}

/** A config rule, validated; throws an Error saying what is wrong with it. */
export function parseRule(source: RuleSource, from?: string): ApprovalRule {
  const rule: ApprovalRule = { tool: source.tool };
  if (source.command !== undefined) rule.command = parseCommandPattern(source.command);
  if (from !== undefined) rule.from = from;
  return rule;
}

export function formatPattern(pattern: CommandPattern): string {
  const words = pattern.words.map((word) => (/^[^\s'"$`;&|<>(){}\\*?[]+$/.test(word) ? word : word.includes("'") ? JSON.stringify(word) : `'${word}'`));
  return [...words, ...(pattern.anyTail ? ['*'] : [])].join(' ');
}

/** How a rule reads to a person: `run_shell \`npm test *\`` or `write_file, any arguments`. */
export function formatRule(rule: ApprovalRule): string {
  return rule.command === undefined ? `${rule.tool}, any arguments` : `${rule.tool} \`${formatPattern(rule.command)}\``;
}

/** True when the command's words are exactly what the pattern allows (unknown words never are). */
function allowMatches(pattern: CommandPattern, command: SimpleCommand): boolean {
  const { words } = command;
  for (let index = 0; index < pattern.words.length; index++) {
    const word = words[index];
    if (word === undefined || word.unknown || word.text !== pattern.words[index]) return false;
  }
  if (pattern.anyTail) return true;
  return words.length === pattern.words.length && !command.openEnded;
}

/**
 * How sure a deny match must be. `definite`: the words are known and match.
 * `possible`: the command may turn out to match once it runs (an unknown word may
 * expand to anything, several words included; an unreadable line may hold anything).
 */
export type DenyCertainty = 'definite' | 'possible';

/** `-rf`, `-x`: short options, possibly grouped (a deny rule's `-rf` also refuses `-fr`, `-r -f`, `-rfv`). */
const SHORT_OPTIONS = /^-[A-Za-z0-9]+$/;

/** The letters of the run of short-option words from `from`, and where the run ends. */
function shortOptionRun(words: readonly string[], from: number): { letters: Set<string>; end: number } {
  const letters = new Set<string>();
  let end = from;
  while (end < words.length && SHORT_OPTIONS.test(words[end]!)) {
    for (const letter of words[end]!.slice(1)) letters.add(letter);
    end += 1;
  }
  return { letters, end };
}

/**
 * True when the command matches what the pattern denies; `/usr/bin/git` is `git`.
 * Deny rules err on the side of refusing: the command's options may stand between
 * the rule's words (`git -C sub push` and `git --no-pager push` are `git push`; an
 * option's value, one plain word after it, goes with it), and short options match
 * as letters whatever their grouping or order (`rm -fr x` and `rm -r -f x` are `rm -rf *`).
 */
function denyMatches(pattern: CommandPattern, command: SimpleCommand, certainty: DenyCertainty): boolean {
  const possible = certainty === 'possible';
  const { words } = command;
  const program = words[0];
  if (program === undefined) return possible && command.openEnded === true;
  if (program.unknown) return possible;
  if (program.text !== pattern.words[0] && basename(program.text) !== pattern.words[0]) return false;
  const expected = pattern.words;
  const texts = words.map((word) => word.text);
  const tried = new Set<number>();
  // Matches the rule's words from `p` against the command's from `c` (each pair tried once).
  const from = (p: number, c: number): boolean => {
    const key = p * (words.length + 1) + c;
    if (tried.has(key)) return false;
    tried.add(key);
    if (p === expected.length) {
      if (pattern.anyTail || c === words.length) return true;
      return possible && (command.openEnded === true || words.slice(c).some((word) => word.unknown));
    }
    const word = words[c];
    if (word === undefined) return possible && command.openEnded === true;
    if (word.unknown) return possible;
    const want = expected[p]!;
    if (SHORT_OPTIONS.test(want) && SHORT_OPTIONS.test(word.text)) {
      const wanted = shortOptionRun(expected, p);
      const given = shortOptionRun(texts, c);
      if ([...wanted.letters].every((letter) => given.letters.has(letter)) && from(wanted.end, given.end)) return true;
    }
    if (word.text === want && from(p + 1, c + 1)) return true;
    // An option the rule does not name (and its value) may stand before the rule's next plain word.
    if (want.startsWith('-') || !word.text.startsWith('-') || word.text === '-') return false;
    const value = words[c + 1];
    return from(p, c + 1) || (value !== undefined && (value.unknown || !value.text.startsWith('-')) && from(p, c + 2));
  };
  return from(1, 1);
}

function appliesTo(rule: ApprovalRule, tool: string): boolean {
  return rule.tool === tool || rule.tool === '*';
}

/** A simple command is covered when a rule allows its words, or it wraps only covered commands transparently. */
function commandCovered(command: SimpleCommand, patterns: CommandPattern[]): boolean {
  if (command.words.length > 0 && patterns.some((pattern) => allowMatches(pattern, command))) return true;
  const inner = command.inner;
  return inner !== undefined && inner.transparent && inner.commands.length > 0 && inner.commands.every((each) => commandCovered(each, patterns));
}

function deniedBy(command: SimpleCommand, rules: ApprovalRule[], certainty: DenyCertainty): ApprovalRule | undefined {
  return (
    rules.find((rule) => denyMatches(rule.command!, command, certainty)) ??
    command.inner?.commands.map((each) => deniedBy(each, rules, certainty)).find(Boolean)
  );
}

/** What a call is, for matching: a tool, and the parsed command when it runs one. */
export interface CallShape {
  tool: string;
  shell?: ShellAnalysis;
}

/** The first rule that covers the call, when every part of it is covered. */
export function allows(rules: ApprovalRule[], call: CallShape): boolean {
  const mine = rules.filter((rule) => appliesTo(rule, call.tool));
  if (mine.some((rule) => rule.command === undefined)) return true;
  if (call.shell === undefined || call.shell.opaque !== undefined || call.shell.commands.length === 0) return false;
  const patterns = mine.map((rule) => rule.command!);
  return call.shell.commands.every((command) => commandCovered(command, patterns));
}

/** The rule that refuses the call: any simple command in it matching, wrappers and `-c` strings included. */
export function denies(rules: ApprovalRule[], call: CallShape, certainty: DenyCertainty): ApprovalRule | undefined {
  const mine = rules.filter((rule) => appliesTo(rule, call.tool));
  const whole = mine.find((rule) => rule.command === undefined);
  if (whole !== undefined || call.shell === undefined) return whole;
  const patterns = mine.filter((rule) => rule.command !== undefined);
  return call.shell.commands.map((command) => deniedBy(command, patterns, certainty)).find(Boolean);
}

/** Programs that run code given as arguments or on stdin: alone, they run a script no rule can see. */
const INTERPRETERS = new Set(['node', 'nodejs', 'deno', 'bun', 'python', 'python3', 'perl', 'ruby', 'php', 'lua', 'bash', 'sh', 'dash', 'zsh', 'ksh', 'tclsh', 'Rscript', 'osascript']);

/**
 * What "always" remembers for a call: the tool; for a command, each simple
 * command's program and its first word that is not an option (the subcommand, or
 * the file that runs), with the options before it, then any further arguments:
 * `npm test *`, `node test.mjs *`, `git -C sub status *`, `node -e '<code>' *`, `ls -la src *`,
 * looking through transparent wrappers. Options are kept whole, so an "always" for
 * `git -C sub status` never covers `git -C sub push`. A program alone is `ls *`;
 * an interpreter alone (`… | sh`) runs a script from stdin, so "always" is not offered.
 * Undefined when "always" cannot be offered (an opaque line, a word only known at run time).
 */
export function alwaysScope(call: CallShape): ApprovalRule[] | undefined {
  if (call.shell === undefined) return [{ tool: call.tool }];
  if (call.shell.opaque !== undefined || call.shell.commands.length === 0) return undefined;
  const patterns: CommandPattern[] = [];
  for (const command of call.shell.commands) {
    const scope = scopeOf(command);
    if (scope === undefined) return undefined;
    for (const pattern of scope) if (!patterns.some((known) => formatPattern(known) === formatPattern(pattern))) patterns.push(pattern);
  }
  return patterns.map((command) => ({ tool: call.tool, command }));
}

function scopeOf(command: SimpleCommand): CommandPattern[] | undefined {
  const inner = command.inner;
  if (inner !== undefined && inner.transparent && inner.commands.length > 0) {
    const scopes = inner.commands.map(scopeOf);
    return scopes.every(Boolean) ? scopes.flatMap((scope) => scope!) : undefined;
  }
  // A wrapper that is not looked through (sudo, doas, chroot) keeps its own words, then the scope of what it runs:
  // `sudo npm test *`, never `sudo npm *` (which would cover `sudo npm publish`).
  const wrapped = inner?.commands.length === 1 ? inner.commands[0]! : undefined;
  if (wrapped !== undefined && wrapped.words.length > 0 && wrapped.words.every((word, index) => word === command.words[command.words.length - wrapped.words.length + index])) {
    const prefix = command.words.slice(0, command.words.length - wrapped.words.length);
    const scope = scopeOf(wrapped);
    if (scope?.length !== 1 || prefix.some((word) => word.unknown)) return undefined;
    return [{ words: [...prefix.map((word) => word.text), ...scope[0]!.words], anyTail: true }];
  }
  const [program, ...rest] = command.words;
  if (program === undefined || program.unknown) return undefined;
  if (rest.length === 0) return INTERPRETERS.has(basename(program.text)) ? undefined : [{ words: [program.text], anyTail: true }];
  // After options, the first plain word may be an option's value (`git -C sub status`): keep through the second.
  const plain = rest.flatMap((word, index) => (word.text.startsWith('-') ? [] : [index]));
  const last = plain.length === 0 ? rest.length - 1 : plain[0] === 0 ? 0 : (plain[1] ?? rest.length - 1);
  const kept = rest.slice(0, last + 1);
  if (kept.some((word) => word.unknown)) return undefined;
  return [{ words: [program.text, ...kept.map((word) => word.text)], anyTail: true }];
}
