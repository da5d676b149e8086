/**
 * The SessionDriver the interactive UI runs: one runtime, one loop run per user
 * message. A changed MCP tool list is applied only here, before a new message
 * (a safe point for the prefix cache). It also carries out what the slash
 * commands ask of the session: the approval policy, the workspace diff, the list
 * of sessions, and a new session with the same settings (/clear).
 */
import { SteeringQueue, type SessionCommands, type SessionDriver } from '../agent/controls.js';
import { runLoop } from '../agent/loop.js';
import { resolveHome } from '../../sessions/home.js';
import { SessionStore } from '../../sessions/store.js';
import { liveRewind } from './live-rewind.js';
import type { Runtime } from './runtime.js';
import type { Settings } from './settings.js';
import { workspaceDiff } from './workspace-diff.js';

export interface DriverOptions {
  /** Opens a new runtime with the same settings (for /clear), passing on its warnings; without it /clear says it cannot. */
  reopen?: (warn: (message: string) => void) => Promise<Runtime>;
  /** Where messages typed while the agent works wait (the UI may have filled it while the runtime opened). */
  steering?: SteeringQueue;
}

function infoOf(runtime: Runtime, settings: Settings): SessionDriver['info'] {
  return {
    sessionId: runtime.session.id,
    model: runtime.model.endpoint.model,
    server: runtime.model.endpoint.server,
    sandbox: runtime.sandbox.kind,
    workspace: runtime.sandbox.workspace,
    baseURL: runtime.model.endpoint.baseURL,
    ...(runtime.contextWindow ? { contextWindow: runtime.contextWindow } : {}),
    ...(runtime.instructions.length > 0 ? { instructions: runtime.instructions } : {}),
    budgets: settings.budgets,
  };
}

/**
 * Closes the UI's runtime. A session it started that never got a message (the UI
 * opened and left) is removed with it: there is nothing in it to resume, and it
 * would be the `last` that resume and exec --resume pick.
 */
async function closeRuntime(runtime: Runtime): Promise<void> {
  const empty = !runtime.resumed && !runtime.state.messages.some((message) => message.role === 'user');
  await runtime.close();
  if (!empty) return;
  const { removeSession } = await import('./remove-session.js');
  await removeSession(new SessionStore({ home: resolveHome(process.env) }), runtime.session.id);
}

export function createDriver(first: Runtime, settings: Settings, options: DriverOptions = {}): SessionDriver {
  const steering = options.steering ?? new SteeringQueue();
  // The policy /approval switches; the loop's gate reads it at every call.
  const approval = { ...settings.approval };
  let runtime = first;
  let info = infoOf(runtime, settings);
  let compactRequested = false;
  const compactRequest = {
    take: () => {
      const requested = compactRequested;
      compactRequested = false;
      return requested;
    },
  };
  const commands: SessionCommands = {
    requestCompaction() {
      compactRequested = true;
    },
    compactNow(signal) {
      return runtime.compactNow(signal);
    },
    setApprovalPolicy(policy) {
      approval.policy = policy;
    },
    workspaceDiff() {
      return workspaceDiff(runtime.sandbox.workspace, runtime.session.start.gitHead);
    },
    ...liveRewind(() => runtime),
    async fork(options) {
      const { forkSession } = await import('./fork.js');
      const notes: string[] = [];
      const fork = await forkSession(runtime.session.id, {
        ...options,
        ...(options.at === undefined ? {} : { atGivenAs: `turn ${options.at}` }),
        home: resolveHome(process.env),
        warn: (message) => notes.push(message),
      });
      return { sessionId: fork.sessionId, parent: fork.parent, atTurn: fork.atTurn, workspace: fork.workspace, notes };
    },
    recentSessions(limit) {
      return new SessionStore({ home: resolveHome(process.env) }).list().slice(0, limit);
    },
    async newSession() {
      if (!options.reopen) throw new Error('this session cannot open another one');
      const warnings: string[] = [];
      const next = await options.reopen((message) => warnings.push(message));
      // The session /clear leaves is said to stay resumable, so it stays even when empty.
      await runtime.close();
      runtime = next;
      info = infoOf(runtime, settings);
      return warnings;
    },
  };
  return {
    get info() {
      return info;
    },
    steering,
    commands,
    opening: () => runtime.opening(),
    async *run(message, signal, approver) {
      await runtime.tools.applyPendingToolChanges();
      const deps = runtime.loopDeps(signal, { steering, approval, compactRequest, ...(approver ? { approver } : {}) });
      yield* runLoop(deps, message);
    },
    close: () => closeRuntime(runtime),
  };
}
