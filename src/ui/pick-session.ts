/**
 * `endure resume` without an id: shows the picker and resolves with the chosen
 * session id, or undefined when the person cancels (or there is nothing to pick).
 */
import { restoreNodeEnv } from './react-production.js';
import { render } from 'ink';
import { createElement } from 'react';
import { SessionPicker, type SessionChoice } from './components/session-picker.js';

restoreNodeEnv();

export interface PickerIo {
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** @default process.stderr */
  stderr?: NodeJS.WriteStream;
  /**
   * Route console.* output above the UI instead of through it (off where console cannot be patched, as under vitest).
   * @default true
   */
  patchConsole?: boolean;
  /** Clock for the ages shown. @default Date.now */
  now?: () => number;
}

export async function pickSession(sessions: readonly SessionChoice[], io: PickerIo = {}): Promise<string | undefined> {
  if (sessions.length === 0) return undefined;
  const stdin = io.stdin ?? process.stdin;
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') {
    (io.stderr ?? process.stderr).write('endure: choosing a session needs a terminal; pass the id: endure resume <id>\n');
    return undefined;
  }
  let chosen: string | undefined;
  const instance = render(
    createElement(SessionPicker, {
      sessions,
      now: (io.now ?? Date.now)(),
      onDone: (id) => {
        chosen = id;
        instance.unmount();
      },
    }),
    { stdout: io.stdout ?? process.stdout, stdin, stderr: io.stderr ?? process.stderr, exitOnCtrlC: false, patchConsole: io.patchConsole ?? true },
  );
  await instance.waitUntilExit();
  return chosen;
}
