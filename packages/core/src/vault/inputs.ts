/**
 * The Vault inputs every action that talks to Vault declares (seed-vault, deploy-helm, teardown,
 * reap-orphans), with one set of names, defaults, checks and hints, so the all-in-one action
 * exposes each once and a bad value reads the same whichever step refuses it.
 */
import { InputError } from '../runtime/errors.js';
import { optional, parseEnum, parseUrl } from '../runtime/parse.js';
import { planVaultPath } from '../naming.js';
import { normalizePrefix, type KvVersion } from './paths.js';
import type { VaultAuthMethod } from './session.js';

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
] as const;
export type VaultInputName = (typeof VAULT_INPUT_NAMES)[number];

/** The defaults each action.yml declares for these inputs (its inputs test proves it). */
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
};

/** Masked the moment they are read. */
export const VAULT_SECRET_INPUTS = ['secret-id', 'token'] as const satisfies readonly VaultInputName[];

const AUTH_METHODS = ['jwt', 'approle', 'token'] as const satisfies readonly VaultAuthMethod[];

/** Where Vault is and how to log in to it (loginVault's options), and which KV engine to use. */
export interface VaultInputs {
  /** The address without a trailing slash. */
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
}

/** Why Vault is needed, for the error when vault-addr is empty: `while` names the setting, `off` how to switch it off. */
export interface VaultNeed {
  while?: string;
  off?: string;
}

/**
 * The Vault inputs, validated. With `need`, an empty vault-addr is an InputError; without it,
 * an empty vault-addr means "no Vault" (undefined). `env` supplies the OIDC request variables:
 * auth-method jwt without them means the job lacks `id-token: write`.
 */
export function parseVaultInputs(
  raw: Record<VaultInputName, string>,
  env: Record<string, string | undefined>,
  need: VaultNeed,
): VaultInputs;
export function parseVaultInputs(
  raw: Record<VaultInputName, string>,
  env: Record<string, string | undefined>,
): VaultInputs | undefined;
export function parseVaultInputs(
  raw: Record<VaultInputName, string>,
  env: Record<string, string | undefined>,
  need?: VaultNeed,
): VaultInputs | undefined {
  const addr = optional(raw['vault-addr']);
  if (!addr) {
    if (!need) return undefined;
    throw new InputError(
      'vault-addr',
      '',
      `is required${need.while ? ` while ${need.while}` : ''}: the Vault address, e.g. https://vault.example.com:8200`,
      need.off ? `Set vault-addr, or ${need.off}` : undefined,
    );
  }
  const method = parseEnum('auth-method', raw['auth-method'], AUTH_METHODS);
  const out: VaultInputs = {
    addr: parseUrl('vault-addr', addr).toString().replace(/\/+$/, ''),
    namespace: optional(raw['vault-namespace']),
    method,
    role: optional(raw.role),
    jwtAudience: optional(raw['jwt-audience']) ?? 'vault',
    roleId: optional(raw['role-id']),
    secretId: optional(raw['secret-id']),
    token: optional(raw.token),
    mount: planVaultPath('mount', raw.mount.trim().replace(/\/+$/, '')),
    kvVersion: Number(parseEnum('kv-version', raw['kv-version'], ['1', '2'] as const)) as KvVersion,
  };
  if (method === 'jwt') {
    if (!out.role)
      throw new InputError('role', '', 'is required with auth-method jwt: the Vault JWT role bound to this repository');
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new InputError(
        'auth-method',
        'jwt',
        'needs an OIDC token, but this job has none',
        'Add "permissions: id-token: write" to the job (pull requests from forks never get one), or use auth-method approle/token',
      );
    }
  }
  if (method === 'approle' && (!out.roleId || !out.secretId)) {
    throw new InputError(out.roleId ? 'secret-id' : 'role-id', '', 'is required with auth-method approle');
  }
  if (method === 'token' && !out.token) throw new InputError('token', '', 'is required with auth-method token');
  return out;
}

/** Vault inputs plus the one folder removal may reach (teardown, reap-orphans). */
export interface VaultRemovalInputs extends VaultInputs {
  allowedPrefix: string;
}

/** The Vault inputs for removal: Vault is required (`need` says why) and allowed-prefix must name a folder. */
export function parseVaultRemovalInputs(
  raw: Record<VaultInputName | 'allowed-prefix', string>,
  env: Record<string, string | undefined>,
  need: VaultNeed,
): VaultRemovalInputs {
  const vault = parseVaultInputs(raw, env, need);
  const allowedPrefix = raw['allowed-prefix'].trim();
  if (normalizePrefix(allowedPrefix) === '/') {
    throw new InputError(
      'allowed-prefix',
      raw['allowed-prefix'],
      'must name a folder such as preview/',
      'An empty prefix would let removal reach any path',
    );
  }
  planVaultPath('allowed-prefix', normalizePrefix(allowedPrefix).replace(/\/+$/, ''));
  return { ...vault, allowedPrefix };
}
