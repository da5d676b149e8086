/**
 * The first event of every run, built from the runtime (the loop itself does
 * not know the endpoint or the sandbox).
 */
import type { AgentEventBody } from '../agent/events.js';
import type { Runtime } from './runtime.js';

export function sessionStartEvent(runtime: Runtime, task: string): Extract<AgentEventBody, { type: 'session_start' }> {
  return {
    type: 'session_start',
    resumed: runtime.resumed,
    model: runtime.model.endpoint.model,
    server: runtime.model.endpoint.server,
    baseURL: runtime.model.endpoint.baseURL,
    sandbox: runtime.sandbox.kind,
    workspace: runtime.sandbox.workspace,
    task,
    ...(runtime.contextWindow ? { contextWindow: runtime.contextWindow } : {}),
    ...(runtime.instructions.length > 0 ? { instructions: runtime.instructions } : {}),
  };
}
