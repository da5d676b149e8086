/**
 * Snapshots of a workspace as git objects in a store that belongs to the
 * session (`<session>/checkpoints.git`, a bare repository), never the user's:
 * git runs with GIT_DIR at the store, a private index there and the workspace as
 * its work tree, so the user's index, HEAD, refs, stash and hooks are never read
 * or written. A snapshot holds every file git would see (tracked and untracked,
 * not ignored by .gitignore, never .git/). The private index keeps git's stat
 * cache, so an unchanged file costs a stat, and content-addressed objects make
 * an unchanged file free in the store. No config of the user's or the repo's is
 * read (no hooks, no fsmonitor, no filters run): a snapshot never runs commands.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Options that keep git from running anything of the user's or reading their config. */
const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.autocrlf=false',
  '-c', 'core.safecrlf=false',
  '-c', 'core.symlinks=true',
  '-c', 'core.quotePath=false',
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
  '-c', 'index.threads=true',
  '-c', 'core.untrackedCache=true',
  '-c', 'advice.addEmbeddedRepo=false',
];

/** The line `git diff-tree --stdin` puts before each pair's changes (SHA-1 or SHA-256 ids). */
const PAIR_HEADER = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64})\n/;

export interface FileChange {
  path: string;
  /** A: added, M: modified, D: deleted (from the first tree to the second). */
  status: 'A' | 'M' | 'D';
}

export class CheckpointStore {
  readonly gitDir: string;
  private readonly index: string;

  constructor(
    sessionDir: string,
    readonly workspace: string,
  ) {
    this.gitDir = join(sessionDir, 'checkpoints.git');
    this.index = join(this.gitDir, 'endure-index');
  }

  /** Snapshots the workspace; returns the tree id. */
  async snapshot(): Promise<string> {
    await this.init();
    // A snapshot killed mid-way leaves git's lock on the private index; the session's lock says no one else uses it.
    rmSync(`${this.index}.lock`, { force: true });
    await this.git(['add', '--all', '--ignore-errors', '--', '.']).catch(async (error: unknown) => {
      // --ignore-errors still exits 1 when a file could not be read; what could be read is in the index.
      if (!(error instanceof GitError) || error.exitCode !== 1) throw error;
    });
    return (await this.git(['write-tree'])).trim();
  }

  /** Paths that differ between two trees. */
  async changes(from: string, to: string): Promise<FileChange[]> {
    if (from === to) return [];
    const out = await this.git(['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to]);
    const parts = out.split('\0').filter((part) => part !== '');
    const changes: FileChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) changes.push({ status: parts[i]!.charAt(0) as FileChange['status'], path: parts[i + 1]! });
    return changes;
  }

  /**
   * Makes the workspace hold `target`: files that differ from `current` (a
   * snapshot just taken, so the private index matches the files) are written,
   * files not in `target` are removed with their emptied directories. Ignored
   * files are left alone.
   */
  async restore(current: string, target: string): Promise<void> {
    await this.git(['read-tree', '-m', '-u', current, target]);
  }

  /** The content of `path` in `tree`, or undefined when it is not there. */
  async show(tree: string, path: string): Promise<Buffer | undefined> {
    try {
      return await this.git(['cat-file', 'blob', `${tree}:${path}`], 'buffer');
    } catch {
      return undefined;
    }
  }

  /**
   * Creates the store of a fork, borrowing the objects of its ancestors' stores
   * (`others`, their checkpoints.git directories) through git alternates: their
   * checkpoints are read in place, never copied. Each is named directly (git
   * follows nested alternates only five deep) and relative to this store, so a
   * home moved whole keeps working.
   */
  async borrow(others: readonly string[]): Promise<void> {
    await this.init();
    const objects = join(this.gitDir, 'objects');
    const lines = others.map((dir) => join(dir, 'objects')).filter((dir) => existsSync(dir)).map((dir) => relative(objects, dir));
    if (lines.length > 0) writeFileSync(join(objects, 'info', 'alternates'), `${lines.join('\n')}\n`);
  }

  /** For each pair of trees, the paths that differ (as `changes`), in one git process however many pairs there are. */
  async changesEach(pairs: readonly (readonly [string, string])[]): Promise<FileChange[][]> {
    const asked = pairs.filter(([from, to]) => from !== to);
    if (asked.length === 0) return pairs.map(() => []);
    const out = await this.git(['diff-tree', '--stdin', '-r', '-z', '--no-renames', '--name-status'], 'utf8', true, asked.map(([from, to]) => `${from} ${to}\n`).join(''));
    // Each pair that differs comes as a line "<from> <to>", then status and path, each ending in NUL.
    const byPair = new Map<string, FileChange[]>();
    let current: FileChange[] | undefined;
    for (let at = 0; at < out.length; ) {
      const header = PAIR_HEADER.exec(out.slice(at, at + 160));
      if (header) {
        current = [];
        byPair.set(`${header[1]} ${header[2]}`, current);
        at += header[0].length;
        continue;
      }
      const statusEnd = out.indexOf('\0', at);
      const pathEnd = statusEnd === -1 ? -1 : out.indexOf('\0', statusEnd + 1);
      if (current === undefined || pathEnd === -1) break;
      current.push({ status: out.charAt(at) as FileChange['status'], path: out.slice(statusEnd + 1, pathEnd) });
      at = pathEnd + 1;
    }
    return pairs.map(([from, to]) => byPair.get(`${from} ${to}`) ?? []);
  }

  /** The private index (git's stat cache of the workspace). */
  get indexFile(): string {
    return this.index;
  }

  private async init(): Promise<void> {
    if (existsSync(join(this.gitDir, 'HEAD'))) return;
    mkdirSync(this.gitDir, { recursive: true, mode: 0o700 });
    // No template: no sample hooks or other files a store of objects never uses.
    await this.git(['init', '--bare', '--quiet', '--template=', this.gitDir], 'utf8', false);
  }

  private git(args: string[]): Promise<string>;
  private git(args: string[], encoding: 'buffer'): Promise<Buffer>;
  private git(args: string[], encoding: 'utf8', withWorkTree: boolean, input?: string): Promise<string>;
  private git(args: string[], encoding: 'utf8' | 'buffer' = 'utf8', withWorkTree = true, input?: string): Promise<string | Buffer> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.gitDir,
      ...(withWorkTree ? { GIT_DIR: this.gitDir, GIT_WORK_TREE: this.workspace, GIT_INDEX_FILE: this.index } : {}),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_OPTIONAL_LOCKS: '0',
      LC_ALL: 'C',
    };
    return new Promise((resolve, reject) => {
      const child = execFile('git', [...SAFE_CONFIG, ...args], { cwd: withWorkTree ? this.workspace : dirname(this.gitDir), env, encoding, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new GitError(`git ${args[0]} failed: ${String(stderr).trim().split('\n')[0] || error.message}`, typeof error.code === 'number' ? error.code : -1));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
