/**
 * deploy-helm's Vault inputs (issue 16 part 1): the same names and defaults as seed-vault's, so the
 * all-in-one action passes one set to both. With `vault-addr` set and `secret-sync: secret`, the
 * PR's copy at `target-path` is materialised as a marked Secret in the namespace on every deploy.
 */
import {
  InputError,
  parseBoolean,
  parseEnum,
  parseUrl,
  planVaultPath,
  renderTemplate,
  templateVars,
  DEFAULT_TEMPLATES,
} from '@preview-fleet/core';
import type { KvVersion, VaultAuthMethod } from '@preview-fleet/core/vault';

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
  'target-path',
  'secret-sync',
  'secret-checksum-key',
  'basic-auth',
] as const;
export type VaultInputName = (typeof VAULT_INPUT_NAMES)[number];

export const VAULT_DEFAULTS: Record<VaultInputName, string> = {
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
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  'secret-sync': 'secret',
  'secret-checksum-key': 'secretChecksum',
  'basic-auth': 'true',
};

export const VAULT_SECRET_INPUTS = ['secret-id', 'token'] as const;

/** How the PR's values reach the pod: deploy-helm's own Secret, or an operator's custom resource rendered by the chart. */
export const SECRET_SYNC_MODES = ['secret', 'vault-secrets-operator', 'external-secrets', 'none'] as const;
export type SecretSyncMode = Exclude<(typeof SECRET_SYNC_MODES)[number], 'none'>;

export interface VaultSync {
  mode: SecretSyncMode;
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
  /** The template; rendered per PR by `planVaultSync`. */
  targetPath: string;
  checksumKey: string;
  /** Keep a generated login in the PR's Vault path and write the ingress's `<release>-basic-auth` Secret. */
  basicAuth: boolean;
}

const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Undefined when there is nothing to sync (no vault-addr, or secret-sync none). */
export function parseVaultSync(
  raw: Partial<Record<VaultInputName, string>>,
  env: Record<string, string | undefined> = process.env,
): VaultSync | undefined {
  const r = { ...VAULT_DEFAULTS, ...raw };
  const mode = parseEnum('secret-sync', r['secret-sync'].trim(), SECRET_SYNC_MODES);
  const addr = opt(r['vault-addr']);
  if (mode === 'none' || !addr) return undefined;
  const method = parseEnum('auth-method', r['auth-method'], ['jwt', 'approle', 'token'] as const);
  const out: VaultSync = {
    mode,
    addr: parseUrl('vault-addr', addr).toString(),
    namespace: opt(r['vault-namespace']),
    method,
    role: opt(r.role),
    jwtAudience: opt(r['jwt-audience']) ?? 'vault',
    roleId: opt(r['role-id']),
    secretId: opt(r['secret-id']),
    token: opt(r.token),
    mount: planVaultPath('mount', r.mount.trim().replace(/\/+$/, '')),
    kvVersion: Number(parseEnum('kv-version', r['kv-version'].trim(), ['1', '2'] as const)) as KvVersion,
    targetPath: r['target-path'].trim(),
    checksumKey: r['secret-checksum-key'].trim(),
    basicAuth: parseBoolean('basic-auth', r['basic-auth']),
  };
  if (method === 'jwt' && !out.role)
    throw new InputError('role', '', 'is required with auth-method jwt: the Vault JWT role bound to this repository');
  if (method === 'jwt' && (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)) {
    throw new InputError(
      'auth-method',
      'jwt',
      'needs an OIDC token, but this job has none',
      'Add "permissions: id-token: write" to the job, or use auth-method approle/token',
    );
  }
  if (method === 'approle' && (!out.roleId || !out.secretId))
    throw new InputError(out.roleId ? 'secret-id' : 'role-id', '', 'is required with auth-method approle');
  if (method === 'token' && !out.token) throw new InputError('token', '', 'is required with auth-method token');
  return out;
}

/**
 * The example chart's values for an operator mode: a VaultStaticSecret (`vault.staticSecret`, with
 * rolloutRestartTargets, so a Vault edit rolls the pods with no workflow run) or an ExternalSecret
 * (`vault.externalSecret`; its store is the platform's, set `vault.externalSecret.storeRef`).
 */
export function operatorValues(sync: VaultSync, path: string): Record<string, unknown> | undefined {
  if (sync.mode === 'vault-secrets-operator') {
    return {
      vault: {
        staticSecret: { enabled: true, mount: sync.mount, path, type: sync.kvVersion === 2 ? 'kv-v2' : 'kv-v1' },
      },
    };
  }
  if (sync.mode === 'external-secrets') return { vault: { externalSecret: { enabled: true, path } } };
  return undefined;
}

/** The PR's rendered Vault path. */
export function renderVaultTarget(
  sync: VaultSync,
  pr: { number: number; headSha?: string },
  repository: string,
  service: string,
): string {
  return planVaultPath(
    'target-path',
    renderTemplate('target-path', sync.targetPath, templateVars(pr, repository, service)),
  );
}
