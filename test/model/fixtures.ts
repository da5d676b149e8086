/**
 * Fixtures for the model-client suites: scripted servers that close after each
 * test, a client factory bound to them, and a collector that runs a stream to its
 * end (or its error) and sorts the events.
 */
import { test as base } from 'vitest';
import { createModelClient, type ModelClientOptions } from '../../src/model/client.js';
import type { ModelClient, ModelEvent, ModelRequest, ParsedToolCall, Usage } from '../../src/model/types.js';
import { ModelError } from '../../src/shared/errors.js';
import { startScriptedServer, type DialectName, type ScriptedServer, type ScriptedServerOptions } from '../support/scripted-server.js';

export interface Collected {
  events: ModelEvent[];
  reasoning: string;
  content: string;
  toolCalls: ParsedToolCall[];
  usage?: Usage;
  retries: Extract<ModelEvent, { type: 'retry' }>[];
  finish?: Extract<ModelEvent, { type: 'finish' }>;
  error?: ModelError;
}

export async function collect(stream: AsyncIterable<ModelEvent>): Promise<Collected> {
  const result: Collected = { events: [], reasoning: '', content: '', toolCalls: [], retries: [] };
  try {
    for await (const event of stream) {
      result.events.push(event);
      switch (event.type) {
        case 'reasoning':
          result.reasoning += event.text;
          break;
        case 'content':
          result.content += event.text;
          break;
        case 'tool_call':
          result.toolCalls.push(event.call);
          break;
        case 'usage':
          result.usage = event.usage;
          break;
        case 'retry':
          result.retries.push(event);
          break;
        case 'finish':
          result.finish = event;
          break;
      }
    }
  } catch (error) {
    if (!(error instanceof ModelError)) throw new Error(`an untyped error escaped the client: ${String(error)}`, { cause: error });
    result.error = error;
  }
  return result;
}

export function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: 'user', content: 'hi' }], tools: [], ...overrides };
}

type ClientOverrides = Partial<ModelClientOptions>;

export interface Harness {
  /** Start a scripted server that closes after the test. */
  server(options?: ScriptedServerOptions): Promise<ScriptedServer>;
  /** A scripted server of `dialect` and a client pointed at it (server kind given, thinking off, unless overridden). */
  pair(dialect: DialectName, client?: ClientOverrides, server?: ScriptedServerOptions): Promise<{ server: ScriptedServer; client: ModelClient }>;
}

export const test = base.extend<{ harness: Harness }>({
  harness: async ({}, use) => {
    const servers: ScriptedServer[] = [];
    const harness: Harness = {
      async server(options) {
        const server = await startScriptedServer(options);
        servers.push(server);
        return server;
      },
      async pair(dialect, client = {}, serverOptions = {}) {
        const server = await harness.server({ dialect, ...serverOptions });
        const modelClient = await createModelClient({
          baseURL: server.url,
          server: dialect,
          model: server.model,
          thinking: false,
          retryBaseDelayMs: 5,
          ...client,
        });
        return { server, client: modelClient };
      },
    };
    await use(harness);
    await Promise.all(servers.map((server) => server.close()));
  },
});

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};
