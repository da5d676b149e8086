/**
 * The UI's side of approvals is display only: the agent's gate decides, remembers,
 * and hands each question over with the scope an "always" would remember
 * (`request.always`), or the reason it is not offered. Nothing is kept here.
 */
import type { ApprovalRequest } from '../agent/controls.js';

/** What `a` would remember, as the gate will enforce it; undefined when `a` is not offered. */
export function alwaysCovers(request: ApprovalRequest): string | undefined {
  return request.always;
}

/** Shown instead of the `a` key when "always" is not offered. */
export function alwaysRefusal(request: ApprovalRequest): string {
  return `always ${request.alwaysRefused ?? 'not offered'}`;
}
