/**
 * The SessionDriver the interactive UI runs: one runtime, one loop run per user
 * message. A changed MCP tool list is applied only here, before a new message
 * (a safe point for the prefix cache).
 */
import { SteeringQueue, type SessionDriver } from '../agent/controls.js';
import type { AgentEvent } from '../agent/events.js';
import { runLoop } from '../agent/loop.js';
import type { Runtime } from './runtime.js';
import { sessionStartEvent } from './session-start-event.js';
import type { Settings } from './settings.js';

export function createDriver(runtime: Runtime, settings: Settings): SessionDriver {
  const steering = new SteeringQueue();
  let announced = false;
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
      if (!announced) {
        announced = true;
        yield { session: runtime.session.id, turn: runtime.state.turns, seq: 0, time: Date.now(), ...sessionStartEvent(runtime, runtime.state.task || message) } as AgentEvent;
      }
      await runtime.tools.applyPendingToolChanges();
      const deps = runtime.loopDeps(signal, { steering, ...(approver ? { approver } : {}) });
      yield* runLoop(deps, message);
    },
    close: () => runtime.close(),
  };
}
