/**
 * The SessionDriver the interactive UI runs: one runtime, one loop run per user
 * message. A changed MCP tool list is applied only here, before a new message
 * (a safe point for the prefix cache).
 */
import { SteeringQueue, type SessionDriver } from '../agent/controls.js';
import { runLoop } from '../agent/loop.js';
import type { Runtime } from './runtime.js';
import type { Settings } from './settings.js';

export function createDriver(runtime: Runtime, settings: Settings): SessionDriver {
  const steering = new SteeringQueue();
  return {
    info: {
      sessionId: runtime.session.id,
      model: runtime.model.endpoint.model,
      server: runtime.model.endpoint.server,
      sandbox: runtime.sandbox.kind,
      workspace: runtime.sandbox.workspace,
      ...(runtime.contextWindow ? { contextWindow: runtime.contextWindow } : {}),
      budgets: settings.budgets,
    },
    steering,
    async *run(message, signal, approver) {
      await runtime.tools.applyPendingToolChanges();
      const deps = runtime.loopDeps(signal, { steering, ...(approver ? { approver } : {}) });
      yield* runLoop(deps, message);
    },
    close: () => runtime.close(),
  };
}
