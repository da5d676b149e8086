/**
 * Elicitation forms: the values a UI pre-fills from the requested schema's
 * defaults (SEP-1034). The host itself never accepts on the user's behalf; a
 * caller that asks the user passes an `elicit` handler and can use this to
 * pre-fill the form, or to answer "accept" with the defaults when the user
 * chose to accept as offered.
 */
import type { ElicitationAnswer, ElicitationRequest } from './host-types.js';

type Json = Record<string, unknown>;

/** Top-level property defaults of a form schema. */
export function elicitationDefaults(schema: Json | undefined): Json {
  const properties = schema?.properties;
  if (properties === null || typeof properties !== 'object') return {};
  const values: Json = {};
  for (const [name, property] of Object.entries(properties as Record<string, unknown>)) {
    if (property !== null && typeof property === 'object' && 'default' in property) values[name] = (property as Json).default;
  }
  return values;
}

/** An `elicit` handler for a user who accepts every form as offered (URL mode is declined). */
export async function acceptDefaults(request: ElicitationRequest): Promise<ElicitationAnswer> {
  if (request.requestedSchema === undefined) return { action: 'decline' };
  return { action: 'accept', content: elicitationDefaults(request.requestedSchema) };
}
