/**
 * The chat request's node:http transport (src/model/http-fetch.ts) against a
 * real HTTP server: what the SDK and the client read from it, connection reuse,
 * and the cases it hands to Node's fetch.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createHttpFetch, responseBody } from '../../src/model/http-fetch.js';

let server: Server;
let base: string;
let connections = 0;
let received: { method: string; url: string; body: string; contentType: string | undefined }[] = [];

function route(request: IncomingMessage, response: ServerResponse, body: string): void {
  received.push({ method: request.method!, url: request.url!, body, contentType: request.headers['content-type'] });
  if (request.url === '/stream') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-1' });
    response.write('data: {"a":1}\n\n');
    response.end('data: [DONE]\n\n');
  } else if (request.url === '/moved') {
    response.writeHead(307, { location: '/stream' }).end();
  } else if (request.url === '/full') {
    response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' }).end('{"error":{"message":"loading model"}}');
  } else {
    response.writeHead(404).end();
  }
}

beforeEach(async () => {
  connections = 0;
  received = [];
  server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part)).on('end', () => route(request, response, Buffer.concat(parts).toString()));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function readAll(response: Response): Promise<string> {
  let text = '';
  for await (const bytes of responseBody(response)!) text += Buffer.from(bytes).toString();
  return text;
}

test('a 2xx answer keeps its node:http body; status and headers are on the Response', async () => {
  const fetch = createHttpFetch();
  const response = await fetch(`${base}/stream`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  expect(response.ok).toBe(true);
  expect(response.headers.get('x-request-id')).toBe('req-1');
  expect(response.body).toBeNull();
  expect(await readAll(response)).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
  expect(received).toEqual([{ method: 'POST', url: '/stream', body: '{"x":1}', contentType: 'application/json' }]);
});

test('turns reuse one kept-alive connection', async () => {
  const fetch = createHttpFetch();
  for (let turn = 0; turn < 5; turn++) await readAll(await fetch(`${base}/stream`, { method: 'POST', body: '{}' }));
  expect(received).toHaveLength(5);
  expect(connections).toBe(1);
});

test('an error status has a body the SDK can read, and its headers', async () => {
  const response = await createHttpFetch()(`${base}/full`, { method: 'POST', body: '{}' });
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('2');
  expect(await response.json()).toEqual({ error: { message: 'loading model' } });
});

test('a redirect is left to Node fetch, which sends the request again and follows it', async () => {
  const response = await createHttpFetch()(`${base}/moved`, { method: 'POST', body: '{"again":true}' });
  expect(response.status).toBe(200);
  expect(await readAll(response)).toContain('[DONE]');
  expect(received.map((request) => [request.url, request.body])).toEqual([
    ['/moved', '{"again":true}'],
    ['/moved', '{"again":true}'],
    ['/stream', '{"again":true}'],
  ]);
});

test('a body that is not a string goes to the fallback fetch', async () => {
  const seen: string[] = [];
  const fallback: typeof fetch = async (input) => {
    seen.push(String(input));
    return new Response('from fallback');
  };
  const response = await createHttpFetch(fallback)(`${base}/stream`, { method: 'POST', body: new Uint8Array([1, 2]) });
  expect(await response.text()).toBe('from fallback');
  expect(seen).toEqual([`${base}/stream`]);
  expect(received).toHaveLength(0);
});

test('an abort ends the request with an AbortError', async () => {
  const controller = new AbortController();
  controller.abort();
  await expect(createHttpFetch()(`${base}/stream`, { method: 'POST', body: '{}', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
});

test('a dead port rejects with the system error code', async () => {
  const port = (server.address() as AddressInfo).port;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await expect(createHttpFetch()(`http://127.0.0.1:${port}/stream`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
