/**
 * The fs tool server: read_file, write_file, edit_file, multi_edit, glob,
 * grep and list_dir over one workspace root. Built as an McpServer so the
 * runtime can connect it in-process (in-memory transport) or run it alone over
 * stdio (server.ts); it imports nothing from src/.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { realRoot } from '../common/paths.js';
import { registerEditTools } from './edit-file.js';
import type { FsContext, GrepEngine } from './fs-context.js';
import { registerGlob } from './glob.js';
import { registerGrep } from './grep.js';
import { registerListDir } from './list-dir.js';
import { registerReadFile } from './read-file.js';
import { registerWriteFile } from './write-file.js';

export interface FsServerOptions {
  /** The workspace: every path the tools touch must resolve inside it. */
  root: string;
  /** Force a grep engine (tests use `js` to exercise the fallback). @default 'auto' */
  grepEngine?: GrepEngine;
  /** The ripgrep executable. @default 'rg' */
  ripgrepPath?: string;
}

export const FS_SERVER_NAME = 'endure-fs';
export const FS_SERVER_VERSION = '0.1.0';

export function createFsServer(options: FsServerOptions): McpServer {
  const context: FsContext = {
    root: realRoot(options.root),
    grepEngine: options.grepEngine ?? 'auto',
    ripgrepPath: options.ripgrepPath ?? 'rg',
  };
  const server = new McpServer({ name: FS_SERVER_NAME, version: FS_SERVER_VERSION }, { capabilities: { tools: {} } });
  registerReadFile(server, context);
  registerWriteFile(server, context);
  registerEditTools(server, context);
  registerGlob(server, context);
  registerGrep(server, context);
  registerListDir(server, context);
  return server;
}
