/**
 * In-memory terminal streams for the UI's entry points (runInteractive, runReplay,
 * pickSession): a stdin that takes keys and claims raw mode, a stdout that keeps all
 * that was written. Not a TTY on the output side, so ink writes finished items as
 * they come and the last frame at exit.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';

export class FakeStdout extends Writable {
  readonly isTTY = false;
  readonly columns = 100;
  readonly rows = 40;
  output = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.output += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    callback();
  }
}

export class FakeStdin extends EventEmitter {
  isTTY: boolean;
  private chunk: string | null = null;
  constructor(tty = true) {
    super();
    this.isTTY = tty;
  }
  /** Types keys, as a terminal in raw mode would send them. */
  type(data: string): void {
    this.chunk = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const chunk = this.chunk;
    this.chunk = null;
    return chunk;
  };
  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

export function terminal(tty = true) {
  const stdout = new FakeStdout();
  const stderr = new FakeStdout();
  const stdin = new FakeStdin(tty);
  return {
    stdout: stdout as unknown as NodeJS.WriteStream & FakeStdout,
    stderr: stderr as unknown as NodeJS.WriteStream & FakeStdout,
    stdin: stdin as unknown as NodeJS.ReadStream & FakeStdin,
    /** vitest replaces console with one that cannot be patched. */
    patchConsole: false,
  };
}
