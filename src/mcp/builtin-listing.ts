/**
 * The built-in servers' live tools/list, as the host lists them: the build writes it as the
 * manifest (builtin-manifest.ts) and a test checks the two are the same, byte for byte.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { defaultBuiltins } from './builtin-servers.js';
import type { BuiltinManifest } from './builtin-manifest.js';
import type { BuiltinServer } from './host-types.js';
import { listToolsLoosely, type ListedTool } from './tool-list.js';

export async function liveBuiltinTools(server: BuiltinServer): Promise<ListedTool[]> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const instance = await server.create();
  await instance.connect(serverSide);
  const client = new Client({ name: 'endure-build', version: '0' });
  try {
    await client.connect(clientSide);
    return (await listToolsLoosely(client)).tools;
  } finally {
    await client.close();
    await instance.close();
  }
}

/** Every variant of every built-in server (git with and without git_push), by manifest key. */
export async function liveBuiltinManifest(root: string): Promise<BuiltinManifest> {
  const manifest: Record<string, ListedTool[]> = {};
  for (const server of [...defaultBuiltins({ root }), ...defaultBuiltins({ root, allowPush: true })]) {
    if (server.manifestKey && !(server.manifestKey in manifest)) manifest[server.manifestKey] = await liveBuiltinTools(server);
  }
  return manifest;
}
