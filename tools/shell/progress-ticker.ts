/**
 * Keeps a long call visibly alive: when the client asked for progress (sent a
 * progressToken), a notification goes out every interval with the seconds
 * elapsed, so clients that reset their request timeout on progress do not give
 * up on a command that is still working.
 */
import type { ServerContext } from '@modelcontextprotocol/server';

/** Starts the ticker; returns the function that stops it. A no-op when the client sent no progressToken. */
export function startProgressTicker(context: ServerContext, intervalMs: number, message: () => string): () => void {
  const progressToken = context.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  const started = Date.now();
  const timer = setInterval(() => {
    const params = { progressToken, progress: Math.max(1, Math.round((Date.now() - started) / 1000)), message: message() };
    context.mcpReq.notify({ method: 'notifications/progress', params }).catch(() => {});
  }, intervalMs);
  return () => clearInterval(timer);
}
