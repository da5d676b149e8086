/**
 * Which workspace paths the fs tools leave out of listings and searches: the
 * `.git` directory, and whatever the `.gitignore` files of the workspace (the
 * root's and nested ones) ignore, whether or not the root is a git repository.
 * Reading or writing an ignored file by its path is still allowed.
 */
import ignore, { type Ignore } from 'ignore';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Answers "is this workspace-relative path ignored?", loading each directory's .gitignore once. */
export class GitignoreFilter {
  private readonly rules = new Map<string, Promise<Ignore | undefined>>();

  constructor(private readonly root: string) {}

  private rulesOf(dir: string): Promise<Ignore | undefined> {
    let pending = this.rules.get(dir);
    if (!pending) {
      pending = readFile(join(this.root, dir, '.gitignore'), 'utf8').then(
        (text) => ignore().add(text),
        () => undefined,
      );
      this.rules.set(dir, pending);
    }
    return pending;
  }

  /**
   * @param relPath path relative to the root with `/` separators, no leading `./`
   * @param isDirectory directories match `dir/` patterns too
   */
  async isIgnored(relPath: string, isDirectory = false): Promise<boolean> {
    if (relPath === '' || relPath === '.') return false;
    const parts = relPath.split('/');
    if (parts.includes('.git')) return true;
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const rules = await this.rulesOf(dir);
      if (!rules) continue;
      const below = parts.slice(depth);
      for (let end = 1; end <= below.length; end++) {
        const last = end === below.length;
        const candidate = below.slice(0, end).join('/') + (!last || isDirectory ? '/' : '');
        if (rules.ignores(candidate)) return true;
      }
    }
    return false;
  }

  /** The subset of `relPaths` (files) that is not ignored, order kept. */
  async keep(relPaths: readonly string[]): Promise<string[]> {
    const verdicts = await Promise.all(relPaths.map((path) => this.isIgnored(path)));
    return relPaths.filter((_, index) => !verdicts[index]);
  }
}
