/**
 * The UI's driver while its runtime opens: the prompt box is drawn at once and
 * takes input, while the model server is probed (a hosted endpoint answers in
 * hundreds of milliseconds) and the sandbox and tool servers start. Until the
 * runtime is open, `info` is what the settings already say; a message and a
 * slash command wait for it (a policy switch is applied when it opens);
 * steering typed meanwhile is kept for the session. Once open, every call goes
 * to the real driver. `whenOpen` tells the UI, so it can refresh the
 * status bar, show the opening line and the warnings of the opening.
 */
import { SteeringQueue, type SessionCommands, type SessionDriver, type SessionListing } from '../agent/controls.js';

export interface OpeningDriver extends SessionDriver {
  /** Settles when the runtime is open (with its warnings), or was left by a quit; rejects with why it failed to open. */
  readonly whenOpen: Promise<{ warnings: string[] }>;
}

export interface OpeningOptions {
  /** Opens the runtime and builds the driver, taking the steering queue the UI fills meanwhile. */
  open: (steering: SteeringQueue, warn: (message: string) => void, signal: AbortSignal) => Promise<SessionDriver>;
  /** What the status bar shows until then. */
  provisional: SessionDriver['info'];
  /** /sessions before the runtime is open. */
  recentSessions: (limit: number) => SessionListing[];
}

/** The slash commands' operations, each waiting for the runtime; the two that return nothing are applied once it is open. */
function waitingCommands(ready: () => Promise<SessionCommands>, now: () => SessionCommands | undefined, recentSessions: (limit: number) => SessionListing[]): SessionCommands {
  const later = (apply: (commands: SessionCommands) => void) => {
    const open = now();
    if (open) apply(open);
    else ready().then(apply, () => undefined);
  };
  return {
    setApprovalPolicy: (policy) => later((commands) => commands.setApprovalPolicy(policy)),
    requestCompaction: () => later((commands) => commands.requestCompaction()),
    recentSessions: (limit) => now()?.recentSessions(limit) ?? recentSessions(limit),
    workspaceDiff: async () => (await ready()).workspaceDiff(),
    newSession: async () => (await ready()).newSession(),
    rewindPoints: async () => (await ready()).rewindPoints(),
    changedOutside: async () => (await ready()).changedOutside(),
    rewind: async (turn, options) => (await ready()).rewind(turn, options),
    fork: async (options) => (await ready()).fork(options),
    async *compactNow(signal) {
      yield* (await ready()).compactNow(signal);
    },
  };
}

export function openingDriver({ open, provisional, recentSessions }: OpeningOptions): OpeningDriver {
  const steering = new SteeringQueue();
  const warnings: string[] = [];
  // Quitting while the endpoint is still probed (a dead one is retried for a minute) stops the opening.
  const abandon = new AbortController();
  let driver: SessionDriver | undefined;
  // From the next turn of the event loop, once the first frame is on screen: import() loads and links a module
  // graph before it returns (the runtime's pulls in node:http and fetch's client), which would hold the frame back.
  const opened = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => open(steering, (message) => warnings.push(message), abandon.signal))
    .then((ready) => (driver = ready));
  // A quit during the probe aborts it (no session was created yet): that is no failure.
  const whenOpen = opened.then(
    () => ({ warnings }),
    (error: unknown) => {
      if (abandon.signal.aborted) return { warnings };
      throw error;
    },
  );
  // Until someone awaits it, a failure must not count as unhandled: the UI reports it.
  whenOpen.catch(() => undefined);
  const unavailable = () => new Error('this session cannot run slash commands');
  const commands = waitingCommands(
    async () => (await opened).commands ?? Promise.reject(unavailable()),
    () => driver?.commands,
    recentSessions,
  );
  return {
    whenOpen,
    get info() {
      return driver?.info ?? provisional;
    },
    steering,
    get commands() {
      return driver === undefined ? commands : driver.commands;
    },
    opening: () => driver?.opening?.(),
    async *run(message, signal, approver) {
      const ready = driver ?? (await opened);
      if (signal.aborted) return;
      yield* ready.run(message, signal, approver);
    },
    async close() {
      if (driver === undefined) abandon.abort();
      const ready = await opened.catch(() => undefined);
      await ready?.close();
    },
  };
}
