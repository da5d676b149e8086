/**
 * Atomic file replacement: the content goes to a temporary file in the same
 * directory, is flushed, given the old file's mode, and renamed over the
 * target, so a reader (or a crash) sees the old file or the new one, never a
 * half-written one. Parent directories are created as needed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of the temporary files, so that tests (and people) can recognise leftovers. */
export const TEMP_PREFIX = '.endure-tmp-';

/** Writes `content` to `target` atomically; keeps the existing file's permission bits. */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  let mode: number | undefined;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = join(dir, `${TEMP_PREFIX}${basename(target)}.${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(content);
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
