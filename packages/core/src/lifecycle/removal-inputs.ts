/**
 * Inputs teardown and the reaper share (Vault login, ECR region), with the same names and
 * defaults as seed-vault and build-push so the all-in-one action exposes each once.
 */
import { InputError } from '../runtime/errors.js';
import { parseEnum, parseUrl } from '../runtime/parse.js';
import { planVaultPath } from '../naming.js';
import { normalizePrefix, type KvVersion } from '../vault/paths.js';
import type { VaultAuthMethod } from '../vault/session.js';

export const VAULT_INPUT_NAMES = [
  'vault-addr',
  'vault-namespace',
  'auth-method',
  'role',
  'jwt-audience',
  'role-id',
  'secret-id',
  'token',
  'mount',
  'kv-version',
  'allowed-prefix',
] as const;
export type VaultInputName = (typeof VAULT_INPUT_NAMES)[number];

export const VAULT_INPUT_DEFAULTS: Record<VaultInputName, string> = {
  'vault-addr': '',
  'vault-namespace': '',
  'auth-method': 'jwt',
  role: '',
  'jwt-audience': 'vault',
  'role-id': '',
  'secret-id': '',
  token: '',
  mount: 'secret',
  'kv-version': '2',
  'allowed-prefix': 'preview/',
};
export const VAULT_SECRET_INPUTS: readonly string[] = ['secret-id', 'token'];

export interface VaultInputs {
  addr: string;
  namespace?: string;
  method: VaultAuthMethod;
  role?: string;
  jwtAudience: string;
  roleId?: string;
  secretId?: string;
  token?: string;
  mount: string;
  kvVersion: KvVersion;
  allowedPrefix: string;
}

const opt = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * The Vault inputs, validated; `why` names the setting that needs Vault (e.g. `delete-vault-path
 * is true`) for the error when vault-addr is empty.
 */
export function parseVaultInputs(
  raw: Partial<Record<VaultInputName, string>>,
  env: Record<string, string | undefined>,
  why: string,
  off: string,
): VaultInputs {
  const r = { ...VAULT_INPUT_DEFAULTS, ...raw };
  const addr = opt(r['vault-addr']);
  if (!addr) throw new InputError('vault-addr', '', `is required while ${why}`, `Set vault-addr, or ${off}`);
  const method = parseEnum('auth-method', r['auth-method'], ['jwt', 'approle', 'token'] as const);
  const out: VaultInputs = {
    addr: parseUrl('vault-addr', addr).toString().replace(/\/+$/, ''),
    namespace: opt(r['vault-namespace']),
    method,
    role: opt(r.role),
    jwtAudience: opt(r['jwt-audience']) ?? 'vault',
    roleId: opt(r['role-id']),
    secretId: opt(r['secret-id']),
    token: opt(r.token),
    mount: planVaultPath('mount', r.mount.trim().replace(/\/+$/, '')),
    kvVersion: Number(parseEnum('kv-version', r['kv-version'].trim(), ['1', '2'] as const)) as KvVersion,
    allowedPrefix: r['allowed-prefix'].trim(),
  };
  if (normalizePrefix(out.allowedPrefix) === '/') {
    throw new InputError(
      'allowed-prefix',
      r['allowed-prefix'],
      'must name a folder such as preview/',
      'An empty prefix would let removal reach any path',
    );
  }
  planVaultPath('allowed-prefix', normalizePrefix(out.allowedPrefix).replace(/\/+$/, ''));
  if (method === 'jwt') {
    if (!out.role)
      throw new InputError('role', '', 'is required with auth-method jwt: the Vault JWT role bound to this repository');
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new InputError(
        'auth-method',
        'jwt',
        'needs an OIDC token, but this job has none',
        'Add "permissions: id-token: write" to the job, or use auth-method approle/token',
      );
    }
  }
  if (method === 'approle' && (!out.roleId || !out.secretId)) {
    throw new InputError(out.roleId ? 'secret-id' : 'role-id', '', 'is required with auth-method approle');
  }
  if (method === 'token' && !out.token) throw new InputError('token', '', 'is required with auth-method token');
  return out;
}
