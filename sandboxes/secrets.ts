/**
 * The secrets a sandboxed process must not read, even though the rest of the system
 * is visible read-only: credentials under the user's home and the host's password
 * hashes and private keys. Only paths that exist are returned, resolved, and split
 * into files (masked with /dev/null) and directories (masked with an empty tmpfs).
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Credential paths relative to the user's home. */
export const HOME_SECRETS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.docker/config.json',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '.git-credentials',
  '.pgpass',
  '.my.cnf',
  '.vault-token',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.terraform.d/credentials.tfrc.json',
  '.password-store',
  '.local/share/keyrings',
];

/** Host-wide secrets (absolute). SSH host keys are added from /etc/ssh when present. */
export const SYSTEM_SECRETS: readonly string[] = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-'];

export interface SecretMasks {
  files: string[];
  dirs: string[];
}

/** The existing secrets of `home` and of the host, plus `extra`, as real paths. */
export function findSecrets(home: string, extra: readonly string[] = []): SecretMasks {
  const candidates = [
    ...HOME_SECRETS.map((path) => join(home, path)),
    ...SYSTEM_SECRETS,
    ...sshHostKeys(),
    ...extra,
  ];
  const masks: SecretMasks = { files: [], dirs: [] };
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const real = realOrUndefined(candidate);
    if (!real || seen.has(real)) continue;
    seen.add(real);
    if (statSync(real).isDirectory()) masks.dirs.push(real);
    else masks.files.push(real);
  }
  return masks;
}

function sshHostKeys(): string[] {
  try {
    return readdirSync('/etc/ssh')
      .filter((name) => /^ssh_host_.*_key$/.test(name))
      .map((name) => join('/etc/ssh', name));
  } catch {
    return [];
  }
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
