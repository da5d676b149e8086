/**
 * A seccomp filter, as the classic-BPF bytes `bwrap --seccomp FD` reads, that takes
 * Unix sockets away from everything in the sandbox: `socket(AF_UNIX, …)` fails with
 * EPERM. That closes every Unix socket outside the workspace at once, wherever it
 * lives (the Docker socket, D-Bus, ssh-agent, gpg-agent, X11) and abstract sockets
 * too, which live in the network namespace and so stay reachable with `--network on`.
 * `socketpair()` stays allowed: it is how processes get pipes to their children.
 * `io_uring_setup` is refused as well (io_uring can open sockets without the
 * `socket` syscall), and so is any other ABI than the native one (32-bit and x32
 * calls would otherwise slip past the syscall numbers checked here).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AF_UNIX = 1;
const EPERM = 1;
const X32_SYSCALL_BIT = 0x40000000;
const IO_URING_SETUP = 425; // the same number on x86_64 and aarch64

const ARCHES: Record<string, { audit: number; socket: number }> = {
  x64: { audit: 0xc000003e, socket: 41 },
  arm64: { audit: 0xc00000b7, socket: 198 },
};

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_EPERM = 0x00050000 | EPERM;

/** seccomp_data offsets: nr, arch, then args[0] (its low word, little-endian). */
const NR = 0;
const ARCH = 4;
const ARG0 = 16;

/** The filter for this machine's architecture; undefined where it is not known (the sandbox then runs without it). */
export function unixSocketFilter(arch: string = process.arch): Buffer | undefined {
  const target = ARCHES[arch];
  if (target === undefined) return undefined;
  // [code, jt, jf, k]; jumps count instructions after the next one. 8: allow, 9: EPERM.
  const program: [number, number, number, number][] = [
    [LD_W_ABS, 0, 0, ARCH],
    [JEQ_K, 0, 7, target.audit],
    [LD_W_ABS, 0, 0, NR],
    [JSET_K, 5, 0, X32_SYSCALL_BIT],
    [JEQ_K, 4, 0, IO_URING_SETUP],
    [JEQ_K, 0, 2, target.socket],
    [LD_W_ABS, 0, 0, ARG0],
    [JEQ_K, 1, 0, AF_UNIX],
    [RET_K, 0, 0, RET_ALLOW],
    [RET_K, 0, 0, RET_EPERM],
  ];
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], index) => {
    bytes.writeUInt16LE(code, index * 8);
    bytes.writeUInt8(jt, index * 8 + 2);
    bytes.writeUInt8(jf, index * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, index * 8 + 4);
  });
  return bytes;
}

/** The filter written to a private file (bwrap reads it from a descriptor); removed by `dispose`. */
export function writeFilterFile(filter: Buffer): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'endure-seccomp-'));
  const path = join(dir, 'no-unix-sockets.bpf');
  writeFileSync(path, filter, { mode: 0o600 });
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
