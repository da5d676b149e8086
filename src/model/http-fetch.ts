/**
 * The chat request's transport: a `fetch` over node:http(s) that the openai
 * SDK sends through, keeping its request building, errors and abort handling.
 *
 * Node's own fetch (undici) hands every response over as WHATWG streams, and a
 * streamed answer is hundreds of small reads: per turn, undici and the web
 * streams cost about a third of endure's CPU (profile of the 1,000-read soak:
 * 1.3 of 4.6 ms). Here a successful response keeps its node:http body,
 * `nodeBody`, which the client reads directly (an async iterable of Buffers);
 * the `Response` itself carries status and headers and no body. An error
 * status gets a real body the SDK reads as usual; a redirect, or a body that
 * is not a string, goes to Node's fetch as before.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** A response of this transport: `nodeBody` is the body when the status is 2xx. */
export type NodeBodyResponse = Response & { readonly nodeBody?: IncomingMessage };

/** The body to read: node:http's stream when this transport answered, else the web stream. */
export function responseBody(response: Response): AsyncIterable<Uint8Array> | null {
  return (response as NodeBodyResponse).nodeBody ?? (response.body as unknown as AsyncIterable<Uint8Array> | null);
}

function responseHeaders(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
  return headers;
}

/** A fetch for one client: keeps its connections alive between turns, as Node's fetch does. */
export function createHttpFetch(fallback: typeof fetch = globalThis.fetch): typeof fetch {
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const body = init?.body;
    if ((body !== undefined && body !== null && typeof body !== 'string') || !(url.protocol === 'http:' || url.protocol === 'https:')) {
      return fallback(input, init);
    }
    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: init?.method ?? 'GET',
        headers: requestHeaders(init),
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        ...(init?.signal ? { signal: init.signal } : {}),
      });
      request.once('error', reject);
      request.once('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          // Rare for a model server: Node's fetch sends the request again (its body is a string) and follows them.
          incoming.resume();
          resolve(fallback(input, init));
          return;
        }
        const headers = responseHeaders(incoming);
        const head = { status, statusText: incoming.statusMessage ?? '', headers };
        if (status >= 200 && status < 300) {
          resolve(Object.assign(new Response(null, head), { nodeBody: incoming }));
        } else {
          resolve(new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, head));
        }
      });
      request.end(body ?? undefined);
    });
  };
}
