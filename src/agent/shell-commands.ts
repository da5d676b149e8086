/**
 * A shell command line as approvals see it: the simple commands it runs, across
 * `&&`, `||`, `;`, `|`, `&`, newlines, subshells, braces, loops and functions, with
 * wrappers (`env`, `timeout`, `sudo`, `xargs`, …) and `bash -c` strings opened up.
 * Anything whose effect is only known at run time (a substitution, `eval`, a
 * variable that changes what runs, text the parser cannot read) marks the whole
 * line opaque: no allow rule may cover it, and deny rules assume the worst of it.
 */
import { basename } from 'node:path';
import type { ShellParse, SyntaxNode } from './shell-parser.js';

/** One word as the shell will pass it, when that is known before it runs. */
export interface Word {
  text: string;
  /** An expansion, glob, `~` or `$'…'`: it may become any text, or several words. */
  unknown?: true;
}

export interface SimpleCommand {
  /** Program and arguments as written, wrappers included, assignments left out. */
  words: Word[];
  /** More arguments arrive at run time (xargs), or the program itself is unknown. */
  openEnded?: true;
  /** What a wrapper runs: the command after `timeout 5`, or the commands of a `bash -c` string. */
  inner?: { commands: SimpleCommand[]; transparent: boolean };
}

export interface ShellAnalysis {
  /** Every simple command, those inside substitutions included (deny rules see them all). */
  commands: SimpleCommand[];
  /** Why no allow rule may cover this line; absent when it is plain. */
  opaque?: string;
}

/** Lines longer than this are not parsed at all. @default 100 KB */
export const MAX_COMMAND_BYTES = 100 * 1024;
const MAX_DEPTH = 6;

/** A command nothing is known of: it matches every deny rule and no allow rule. */
export const UNKNOWN_COMMAND: SimpleCommand = { words: [], openEnded: true };

export function analyzeShell(parse: ShellParse, source: string): ShellAnalysis {
  if (Buffer.byteLength(source) > MAX_COMMAND_BYTES) return { commands: [UNKNOWN_COMMAND], opaque: 'it is over 100 KB' };
  const context: Context = { parse };
  const commands = script(context, source, 0);
  return context.opaque === undefined ? { commands } : { commands, opaque: context.opaque };
}

interface Context {
  parse: ShellParse;
  opaque?: string;
}

function flag(context: Context, why: string): void {
  context.opaque ??= why;
}

function script(context: Context, source: string, depth: number): SimpleCommand[] {
  if (depth > MAX_DEPTH) {
    flag(context, `shells nested more than ${MAX_DEPTH} deep`);
    return [UNKNOWN_COMMAND];
  }
  const tree = context.parse(source);
  if (tree === null) {
    flag(context, 'the shell parser cannot read it');
    return [UNKNOWN_COMMAND];
  }
  try {
    const commands: SimpleCommand[] = [];
    walk(context, tree.rootNode, commands, depth);
    if (tree.rootNode.hasError) {
      flag(context, 'the shell parser cannot read it');
      commands.push(UNKNOWN_COMMAND);
    }
    return commands;
  } finally {
    tree.delete();
  }
}

function walk(context: Context, node: SyntaxNode, out: SimpleCommand[], depth: number): void {
  switch (node.type) {
    case 'command':
      out.push(simpleCommand(context, node, depth));
      break;
    case 'command_substitution':
      flag(context, 'it has a command substitution');
      break;
    case 'process_substitution':
      flag(context, 'it has a process substitution');
      break;
    case 'variable_assignment':
      checkAssignment(context, node.childForFieldName('name')?.text ?? '');
      break;
  }
  for (const child of node.namedChildren) walk(context, child, out, depth);
}

/**
 * Variables that change which program runs or what it loads. Setting one makes the
 * line opaque: `PATH=./evil npm test` is not the `npm test` a rule approved.
 */
const STEERING_VARIABLES =
  /^(PATH|IFS|ENV|BASH_ENV|BASH_FUNC_.*|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|CDPATH|GLOBIGNORE|LD_\w+|DYLD_\w+|NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|GIT_\w+|EDITOR|VISUAL|PAGER|MANPAGER|LESSOPEN|npm_config_\w+)$/i;

function checkAssignment(context: Context, name: string): void {
  if (STEERING_VARIABLES.test(name)) flag(context, `it sets ${name}, which changes what runs`);
}

function simpleCommand(context: Context, node: SyntaxNode, depth: number): SimpleCommand {
  const name = node.childForFieldName('name');
  const nodes = name === null ? [] : [name, ...node.childrenForFieldName('argument')];
  return unwrap(context, nodes.map(wordOf), depth);
}

// ---- words ----

const GLOB = /(^|[^\\])([*?]|\[.*\])|^~|[{}]/;

function wordOf(node: SyntaxNode): Word {
  switch (node.type) {
    case 'command_name':
      return node.namedChildren[0] ? wordOf(node.namedChildren[0]) : { text: node.text, unknown: true };
    case 'word':
      return GLOB.test(node.text) ? { text: node.text, unknown: true } : { text: unescapeWord(node.text) };
    case 'number':
      return { text: node.text };
    case 'raw_string':
      return { text: node.text.slice(1, -1) };
    case 'string': {
      const parts = node.namedChildren;
      if (parts.some((part) => part.type !== 'string_content')) return { text: node.text, unknown: true };
      return { text: unescapeDoubleQuoted(node.text.slice(1, -1)) };
    }
    case 'concatenation': {
      const parts = node.namedChildren.map(wordOf);
      const text = parts.map((part) => part.text).join('');
      return parts.some((part) => part.unknown) || GLOB.test(node.text) ? { text, unknown: true } : { text };
    }
    default:
      return { text: node.text, unknown: true };
  }
}

function unescapeWord(raw: string): string {
  return raw.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\\n/g, '').replace(/\\([\\"$`])/g, '$1');
}

// ---- wrappers ----

interface WrapperSpec {
  /** Options whose value is the next word (or attached: `-n5`, `--signal=KILL`). */
  valued?: string[];
  /** Positional words before the command (timeout's duration). */
  positional?: number;
  /** `NAME=VALUE` words before the command (env, sudo). */
  assignments?: boolean;
  /** Options after which no command follows (`command -v git` only looks it up). */
  noCommand?: string[];
  /** Options that make the wrapper run a string as code (`env -S`). */
  evaluates?: string[];
  /** Short options whose value is a shell command line the wrapper runs (`flock -c`, `script -c`): read like `bash -c`'s. */
  runsCode?: string[];
  /**
   * The words after the options are joined with spaces and run by `sh -c` (watch, parallel), up to
   * the first of these words (parallel's `:::` inputs); an option in `execs` runs them as they are.
   */
  joinsCode?: { until?: string[]; execs?: string[] };
  /** The command gets more arguments at run time. */
  openEnded?: boolean;
  /** Runs this when no command is given. */
  fallback?: string;
  /**
   * Whether an allow rule for the wrapped command covers the wrapper too. `sudo`
   * changes who runs it, so `npm test *` does not cover `sudo npm test`.
   */
  transparent: boolean;
}

const WRAPPERS: Record<string, WrapperSpec> = {
  env: { valued: ['-u', '--unset', '-C', '--chdir'], assignments: true, evaluates: ['-S', '--split-string'], transparent: true },
  timeout: { valued: ['-s', '--signal', '-k', '--kill-after'], positional: 1, transparent: true },
  nice: { valued: ['-n', '--adjustment'], transparent: true },
  nohup: { transparent: true },
  time: { transparent: true },
  command: { noCommand: ['-v', '-V'], transparent: true },
  builtin: { transparent: true },
  exec: { valued: ['-a'], transparent: true },
  stdbuf: { valued: ['-i', '--input', '-o', '--output', '-e', '--error'], transparent: true },
  ionice: { valued: ['-c', '--class', '-n', '--classdata', '-p', '--pid'], transparent: true },
  setsid: { transparent: true },
  xargs: {
    valued: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '--max-lines', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars'],
    openEnded: true,
    fallback: 'echo',
    transparent: true,
  },
  sudo: {
    valued: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'],
    assignments: true,
    transparent: false,
  },
  doas: { valued: ['-u', '-C'], transparent: false },
  flock: { valued: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'], positional: 1, runsCode: ['-c'], transparent: true },
  script: { valued: ['-E', '--echo', '-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing', '-m', '--logging-format'], runsCode: ['-c'], positional: 1, transparent: true },
  taskset: { noCommand: ['-p', '--pid'], positional: 1, transparent: true },
  chrt: { noCommand: ['-p', '--pid', '-m', '--max'], valued: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], positional: 1, transparent: true },
  unbuffer: { transparent: true },
  busybox: { transparent: true },
  chroot: { valued: ['--userspec', '--groups'], positional: 1, transparent: false },
  watch: { valued: ['-n', '--interval', '-q', '--equexit'], joinsCode: { execs: ['-x', '--exec'] }, transparent: true },
  parallel: {
    valued: ['-j', '--jobs', '-P', '--max-procs', '-N', '-n', '--max-args', '-L', '--max-lines', '-l', '-S', '--sshlogin', '-a', '--arg-file', '--halt', '--delay', '--timeout', '-I', '--joblog', '--results', '--tmpdir', '-d', '--delimiter', '-E', '--colsep', '-C', '--sshloginfile', '--slf', '--retries', '--memfree', '--load'],
    joinsCode: { until: [':::', '::::', ':::+', '::::+'] },
    openEnded: true,
    transparent: true,
  },
};

const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'ash', 'mksh']);
/** Shell options whose value is the next word. */
const SHELL_VALUED = ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'];

function unwrap(context: Context, words: Word[], depth: number): SimpleCommand {
  const command: SimpleCommand = { words };
  const program = words[0];
  if (program === undefined || program.unknown) return command;
  const name = basename(program.text);
  if (name === 'eval') return evaluated(context, command, words.slice(1), depth, 'it runs eval');
  if (name === 'trap') return trap(context, command, words, depth);
  if (name === 'coproc') flag(context, 'it starts a coprocess');
  if (SHELLS.has(name)) return shell(context, command, depth);
  if (name === 'find') return find(context, command, depth);
  const spec = WRAPPERS[name];
  return spec === undefined ? command : wrapper(context, command, spec, depth);
}

function wrapper(context: Context, command: SimpleCommand, spec: WrapperSpec, depth: number): SimpleCommand {
  const words = command.words;
  let index = 1;
  let execs = false;
  while (index < words.length) {
    const word = words[index]!;
    if (word.unknown) return { ...command, inner: { commands: [UNKNOWN_COMMAND], transparent: false } };
    if (word.text === '--') {
      index++;
      break;
    }
    if (!word.text.startsWith('-') || word.text === '-') break;
    if (spec.noCommand?.includes(word.text)) return command;
    if (spec.evaluates?.some((option) => word.text === option || word.text.startsWith(`${option}=`))) {
      flag(context, `it runs a string as code (${word.text})`);
      return { ...command, inner: { commands: [UNKNOWN_COMMAND], transparent: false } };
    }
    if (spec.runsCode && takesValue(word.text, spec.runsCode) === 1) return codeOf(context, command, words[index + 1], spec, depth);
    if (spec.joinsCode?.execs?.includes(word.text)) execs = true;
    index += 1 + takesValue(word.text, spec.valued ?? []);
  }
  for (let left = spec.positional ?? 0; left > 0 && index < words.length; left--) index++;
  if (spec.assignments) {
    for (; index < words.length && /^[A-Za-z_]\w*=/.test(words[index]!.text); index++) checkAssignment(context, words[index]!.text.split('=')[0]!);
  }
  if (spec.joinsCode && !execs) return joinedCode(context, command, words.slice(index), spec, depth);
  const rest = words.slice(index);
  if (rest.length === 0 && spec.fallback === undefined) return command;
  const innerWords = rest.length > 0 ? rest : [{ text: spec.fallback! }];
  const inner = unwrap(context, innerWords, depth);
  return { ...command, inner: { commands: [spec.openEnded ? { ...inner, openEnded: true } : inner], transparent: spec.transparent } };
}

/** A wrapper that runs a command line given as an option's value (`flock -c 'git push' lock`). */
function codeOf(context: Context, command: SimpleCommand, code: Word | undefined, spec: WrapperSpec, depth: number): SimpleCommand {
  if (code === undefined) return command;
  if (code.unknown) {
    flag(context, 'it runs a command line only known at run time');
    return { ...command, inner: { commands: [UNKNOWN_COMMAND], transparent: false } };
  }
  return { ...command, inner: { commands: script(context, code.text, depth + 1), transparent: spec.transparent } };
}

/** What `watch git push` and `parallel 'git push' ::: a b` run: their words joined, read as a `sh -c` string. */
function joinedCode(context: Context, command: SimpleCommand, words: Word[], spec: WrapperSpec, depth: number): SimpleCommand {
  const end = words.findIndex((word) => spec.joinsCode?.until?.includes(word.text));
  const code = end === -1 ? words : words.slice(0, end);
  if (code.length === 0) return command;
  const joined: Word = code.some((word) => word.unknown) ? { text: '', unknown: true } : { text: code.map((word) => word.text).join(' ') };
  const read = codeOf(context, command, joined, spec, depth);
  if (!spec.openEnded || read.inner === undefined) return read;
  return { ...read, inner: { ...read.inner, commands: read.inner.commands.map((inner) => ({ ...inner, openEnded: true as const })) } };
}

/** 1 when the option word needs the next word as its value, else 0. */
function takesValue(option: string, valued: string[]): number {
  if (option.startsWith('--')) return valued.includes(option) ? 1 : 0;
  for (let at = 1; at < option.length; at++) {
    if (valued.includes(`-${option[at]}`)) return at === option.length - 1 ? 1 : 0;
  }
  return 0;
}

function shell(context: Context, command: SimpleCommand, depth: number): SimpleCommand {
  const words = command.words;
  let index = 1;
  let runsString = false;
  for (; index < words.length; index++) {
    const word = words[index]!;
    if (word.unknown) {
      flag(context, 'it runs a shell with options only known at run time');
      return { ...command, inner: { commands: [UNKNOWN_COMMAND], transparent: false } };
    }
    if (word.text === '--' || word.text === '-') {
      index++;
      break;
    }
    if (!/^[-+]/.test(word.text)) break;
    if (SHELL_VALUED.includes(word.text)) index++;
    else if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(word.text)) runsString = true;
  }
  if (!runsString) return command;
  const code = words[index];
  if (code === undefined) return command;
  if (code.unknown) {
    flag(context, 'it runs a shell on a string only known at run time');
    return { ...command, inner: { commands: [UNKNOWN_COMMAND], transparent: false } };
  }
  return { ...command, inner: { commands: script(context, code.text, depth + 1), transparent: true } };
}

const FIND_RUNS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** `find … -exec CMD … ;`: deny rules see CMD; an allow rule must cover the whole `find` line. */
function find(context: Context, command: SimpleCommand, depth: number): SimpleCommand {
  const commands: SimpleCommand[] = [];
  const words = command.words;
  for (let index = 1; index < words.length; index++) {
    if (!FIND_RUNS.has(words[index]!.text)) continue;
    const end = words.findIndex((word, at) => at > index && (word.text === ';' || word.text === '+'));
    const stop = end === -1 ? words.length : end;
    if (stop > index + 1) commands.push(unwrap(context, words.slice(index + 1, stop), depth));
    index = stop;
  }
  return commands.length === 0 ? command : { ...command, inner: { commands, transparent: false } };
}

/** eval and friends: never covered by an allow rule, but deny rules still read the string. */
function evaluated(context: Context, command: SimpleCommand, args: Word[], depth: number, why: string): SimpleCommand {
  flag(context, why);
  const commands = args.some((word) => word.unknown)
    ? [UNKNOWN_COMMAND]
    : script(context, args.map((word) => word.text).join(' '), depth + 1);
  return { ...command, inner: { commands, transparent: false } };
}

function trap(context: Context, command: SimpleCommand, words: Word[], depth: number): SimpleCommand {
  const action = words.slice(1).find((word) => !word.text.startsWith('-'));
  if (action === undefined || (!action.unknown && (action.text === '' || action.text === '-'))) return command;
  return evaluated(context, command, [action], depth, 'it sets a trap that runs a string as code');
}
