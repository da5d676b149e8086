/**
 * The shell grammar approvals are checked against: tree-sitter-bash (the grammar
 * Codex CLI parses commands with) running in web-tree-sitter's WebAssembly
 * runtime, so no native build is needed. Loaded once, on the first command that
 * needs it (a session that never asks about run_shell never pays for it); parsing
 * itself is synchronous after that, which lets `bash -c` strings be parsed in place.
 */
import { createRequire } from 'node:module';
import type { Node, Parser } from 'web-tree-sitter';

export type SyntaxNode = Node;

/** Parses one shell script; the caller must `delete()` the tree it gets back. */
export type ShellParse = (source: string) => { rootNode: SyntaxNode; delete(): void } | null;

let loading: Promise<ShellParse> | undefined;

/** The bash parser, loaded once per process. */
export function loadShellParser(): Promise<ShellParse> {
  loading ??= load();
  return loading;
}

async function load(): Promise<ShellParse> {
  const { Parser: ParserClass, Language } = await import('web-tree-sitter');
  await ParserClass.init();
  const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
  const parser: Parser = new ParserClass();
  parser.setLanguage(await Language.load(wasm));
  return (source) => parser.parse(source);
}
