import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Makes a file, or a directory's entries (a new name in it), durable by path. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
