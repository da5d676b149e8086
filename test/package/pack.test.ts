/**
 * The npm package as a user installs it: `npm pack` ships only what runs (no
 * tests, benchmarks, fixtures or source maps), a global install of the tarball
 * into a temp prefix runs on Node 22 (`--version`, and a whole `exec` against
 * the scripted server with the packed tool servers), so does `npx` of the
 * tarball, and the installed bin refuses an older Node
 * (the system's Node 20) in one line. Checked by behaviour, not by a file list,
 * so a bundled build passes as well.
 */
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { call, e2eTest as test, planModel, TEST_API_KEY } from '../support/e2e-fixtures.js';
import { installGlobal, packageVersion, packInto } from './support.js';

/** A Node older than 22.12 on this machine (the system's Node 20): `which -a node`, then /usr/bin/node. */
function olderNode(): string | undefined {
  const candidates = new Set<string>();
  try {
    for (const path of execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n')) if (path) candidates.add(path);
  } catch {
    // `which` finds none: only the fixed path is left
  }
  candidates.add('/usr/bin/node');
  for (const path of candidates) {
    try {
      const [major = 0, minor = 0] = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().slice(1).split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 12)) return path;
    } catch {
      // not there or not runnable
    }
  }
  return undefined;
}

function runBin(bin: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(bin, 'endure'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the npm package', () => {
  test('packs only what runs; installed globally it runs on Node 22 and refuses Node 20 in one line', { timeout: 300_000 }, async ({ scratch, server, repo }) => {
    const packed = await packInto(scratch);
    expect(packed.files).toContain('package.json');
    expect(packed.files.filter((path) => /(^|\/)(test|tests|bench|fixtures?|__tests__)\//.test(path))).toEqual([]);
    expect(packed.files.filter((path) => /\.(test|spec)\.[cm]?js$|\.map$|\.tsx?$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);

    const bin = await installGlobal(packed.tarball, join(scratch, 'prefix'));
    const env = {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: join(scratch, 'user-home'),
      XDG_CONFIG_HOME: join(scratch, 'user-home', '.config'),
      ENDURE_HOME: join(scratch, 'home'),
      ENDURE_API_KEY: TEST_API_KEY,
      LANG: 'C.UTF-8',
    };
    const version = await runBin(bin, ['--version'], env);
    expect(version).toEqual({ code: 0, stdout: `${packageVersion()}\n`, stderr: '' });

    // A whole run with the packed tool servers (fs for read_file, shell for run_shell).
    server.respondWith(
      planModel([{ toolCalls: [call('read_file', { path: 'README.md' }), call('run_shell', { command: 'echo from-the-shell' })] }], 'Read it.'),
    );
    const exec = await runBin(bin, ['exec', '--base-url', server.url, '--cwd', repo, '--sandbox', 'host', '--output-format', 'json', 'read the readme'], env);
    expect(exec.code, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toMatchObject({ status: 'done', result: 'Read it.', tool_calls: 2 });
    const results = server.requests.at(-1)!.body.messages.filter((message: { role: string }) => message.role === 'tool');
    expect(results.map((message: { content: string }) => message.content).join('\n')).toMatch(/e2e workspace[\s\S]*from-the-shell/);

    // `npx` of the tarball, as a user tries it before installing.
    const npx = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn('npm', ['exec', '--yes', '--prefer-offline', `--package=${packed.tarball}`, '--', 'endure', '--version'], {
        cwd: scratch,
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(npx).toEqual({ code: 0, stdout: `${packageVersion()}\n` });

    const old = olderNode();
    expect(old, 'a Node older than 22.12 on this machine (the system Node 20)').toBeDefined();
    const refused = await runBin(bin, ['--version'], { ...env, PATH: `${bin}:${dirname(old!)}` });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^endure: needs Node 22\.12 or later, this is Node (20|21|22)\./)]);
  });
});
