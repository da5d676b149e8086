import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { EVERYTHING, FILESYSTEM, LogRecorder, test } from './support.js';

function stdioServer(name: string, args: string[]) {
  return { name, layer: 'user' as const, file: 'test', config: { transport: 'stdio' as const, command: process.execPath, args, env: {} } };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** server-everything in Streamable HTTP mode on a free port; resolves once it says it listens. */
async function startEverythingHttp(fixedPort?: number): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on port')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${seen}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('server-everything over stdio', () => {
  test('tools, content kinds, progress, and declined sampling and elicitation', async ({ makeHost }) => {
    const recorder = new LogRecorder();
    const samplingRequests: unknown[] = [];
    const host = await makeHost({
      servers: [stdioServer('everything', [EVERYTHING, 'stdio'])],
      log: recorder.log,
      handlers: {
        elicit: async () => ({ action: 'decline' }),
        sample: async (request) => {
          samplingRequests.push(request);
          throw new Error('sampling is not available in this session');
        },
      },
    });
    const names = host.tools().map((tool) => tool.name);
    expect(names).toContain('everything__get-sum');
    expect(names).toContain('everything__trigger-sampling-request');
    expect(names).toContain('everything__trigger-elicitation-request');
    expect(names).not.toContain('everything__simulate-research-query');
    expect(host.warnings().some((warning) => warning.includes('"simulate-research-query" skipped: needs task-based execution'))).toBe(true);
    expect(names).toEqual([...names].sort());
    expect(host.tools().find((tool) => tool.name === 'everything__get-sum')?.annotations).toMatchObject({ readOnlyHint: true });

    expect(await host.call('everything__get-sum', { a: 2, b: 40 })).toMatchObject({ isError: false, text: expect.stringContaining('42') });
    expect((await host.call('everything__get-sum', { a: 'x' })).isError).toBe(true);

    const image = await host.call('everything__get-tiny-image', {});
    expect(image.text).toMatch(/\[image image\/png, [\d.]+ KB; not shown\]/);
    expect(image.text.length).toBeLessThan(500);

    const structured = await host.call('everything__get-structured-content', { location: 'New York' });
    expect(structured.isError).toBe(false);
    expect(structured.structured).toHaveProperty('temperature');

    const progress: number[] = [];
    const long = await host.call('everything__trigger-long-running-operation', { duration: 1, steps: 4 }, { onProgress: (p) => progress.push(p.progress) });
    expect(long.isError).toBe(false);
    expect(progress.length).toBeGreaterThanOrEqual(2);

    const sampling = await host.call('everything__trigger-sampling-request', { prompt: 'hello', maxTokens: 10 });
    expect(samplingRequests).toHaveLength(1);
    expect(sampling.isError).toBe(true);
    expect(sampling.text).toContain('sampling is not available');

    const elicitation = await host.call('everything__trigger-elicitation-request', {});
    expect(elicitation.text.toLowerCase()).toContain('decline');

    await recorder.waitFor((entry) => entry.server === 'everything' && entry.kind === 'stderr');
  });

  test('without handlers, sampling and elicitation are not declared and their tools are not offered', async ({ makeHost }) => {
    const host = await makeHost({ servers: [stdioServer('everything', [EVERYTHING, 'stdio'])] });
    const names = host.tools().map((tool) => tool.name);
    expect(names).toContain('everything__echo');
    expect(names).not.toContain('everything__trigger-sampling-request');
    expect(names).not.toContain('everything__trigger-elicitation-request');
  });
});

describe('server-everything over Streamable HTTP', () => {
  test('lists and calls tools with progress, and re-lists at a safe point', async ({ makeHost }) => {
    const server = await startEverythingHttp();
    try {
      const host = await makeHost({
        servers: [{ name: 'remote', layer: 'user', file: 'test', config: { transport: 'http', url: server.url, headers: { 'X-Test': '1' } } }],
      });
      expect(host.warnings()).toEqual([expect.stringContaining('simulate-research-query')]);
      expect(host.tools().map((tool) => tool.name)).toContain('remote__echo');
      expect(await host.call('remote__echo', { message: 'over http' })).toMatchObject({ isError: false, text: expect.stringContaining('over http') });
      const progress: number[] = [];
      const long = await host.call('remote__trigger-long-running-operation', { duration: 1, steps: 3 }, { onProgress: (p) => progress.push(p.progress) });
      expect(long.isError).toBe(false);
      expect(progress).toEqual([1, 2, 3]);
      expect(await host.applyPendingToolChanges()).toBe(false);
      await host.close();
    } finally {
      await server.stop();
    }
  });

  test('an HTTP server that goes away fails the call as a result, and comes back after a restart', async ({ makeHost }) => {
    const server = await startEverythingHttp();
    const host = await makeHost({
      servers: [{ name: 'remote', layer: 'user', file: 'test', config: { transport: 'http', url: server.url, headers: {} } }],
      backoff: { initialMs: 10, maxMs: 20, maxRestarts: 10 },
    });
    await server.stop();
    const failed = await host.call('remote__echo', { message: 'x' });
    expect(failed.isError).toBe(true);
    expect(failed.text).toContain('"remote"');
    const again = await startEverythingHttp(server.port);
    try {
      expect(await host.call('remote__echo', { message: 'back' })).toMatchObject({ isError: false, text: expect.stringContaining('back') });
      await host.close();
    } finally {
      await again.stop();
    }
  });
});

describe('server-filesystem over stdio', () => {
  test('reads, writes and refuses escapes; structured output is not duplicated', async ({ makeHost, tempDir }) => {
    const root = join(tempDir, 'root');
    mkdirSync(root);
    writeFileSync(join(root, 'hello.txt'), 'hello world\n');
    const host = await makeHost({ servers: [stdioServer('files', [FILESYSTEM, root])] });
    const names = host.tools().map((tool) => tool.name);
    expect(names).toContain('files__read_text_file');
    expect(host.tools().find((tool) => tool.name === 'files__write_file')?.annotations.destructiveHint).toBe(true);
    const read = await host.call('files__read_text_file', { path: join(root, 'hello.txt') });
    expect(read).toMatchObject({ isError: false, text: 'hello world\n' });
    expect((await host.call('files__write_file', { path: join(root, 'new.txt'), content: 'x' })).isError).toBe(false);
    const escape = await host.call('files__read_text_file', { path: '/etc/hostname' });
    expect(escape.isError).toBe(true);
    expect(escape.text).toContain('Access denied');
    for (const tool of host.tools()) {
      expect(JSON.stringify(tool.inputSchema)).not.toContain('$schema');
      expect(tool.inputSchema.type).toBe('object');
    }
  });
});
