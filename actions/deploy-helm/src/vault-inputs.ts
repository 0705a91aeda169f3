/**
 * deploy-helm's Vault inputs (issue 16 part 1): core's Vault inputs (the same names, defaults and
 * checks as seed-vault's, so the all-in-one action passes one set to both) plus where the PR's
 * copy is. With `vault-addr` set and `secret-sync: secret`, the copy at `target-path` is
 * materialised as a marked Secret in the namespace on every deploy.
 */
import {
  parseBoolean,
  parseEnum,
  planVaultPath,
  renderTemplate,
  templateVars,
  DEFAULT_TEMPLATES,
} from '@preview-fleet/core';
import { parseVaultInputs, VAULT_INPUT_DEFAULTS, VAULT_INPUT_NAMES, type VaultInputs } from '@preview-fleet/core/vault';

export { VAULT_SECRET_INPUTS } from '@preview-fleet/core/vault';

export const VAULT_SYNC_INPUT_NAMES = [
  ...VAULT_INPUT_NAMES,
  'target-path',
  'secret-sync',
  'secret-checksum-key',
  'basic-auth',
] as const;
export type VaultSyncInputName = (typeof VAULT_SYNC_INPUT_NAMES)[number];

export const VAULT_SYNC_DEFAULTS: Record<VaultSyncInputName, string> = {
  ...VAULT_INPUT_DEFAULTS,
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  'secret-sync': 'secret',
  'secret-checksum-key': 'secretChecksum',
  'basic-auth': 'true',
};

/** How the PR's values reach the pod: deploy-helm's own Secret, or an operator's custom resource rendered by the chart. */
export const SECRET_SYNC_MODES = ['secret', 'vault-secrets-operator', 'external-secrets', 'none'] as const;
export type SecretSyncMode = Exclude<(typeof SECRET_SYNC_MODES)[number], 'none'>;

export interface VaultSync extends VaultInputs {
  mode: SecretSyncMode;
  /** The template; rendered per PR by `renderVaultTarget`. */
  targetPath: string;
  checksumKey: string;
  /** Keep a generated login in the PR's Vault path and write the ingress's `<release>-basic-auth` Secret. */
  basicAuth: boolean;
}

/** Undefined when there is nothing to sync (no vault-addr, or secret-sync none). */
export function parseVaultSync(
  raw: Record<VaultSyncInputName, string>,
  env: Record<string, string | undefined>,
): VaultSync | undefined {
  const mode = parseEnum('secret-sync', raw['secret-sync'], SECRET_SYNC_MODES);
  const vault = mode === 'none' ? undefined : parseVaultInputs(raw, env);
  return (
    vault && {
      ...vault,
      mode: mode as SecretSyncMode,
      targetPath: raw['target-path'],
      checksumKey: raw['secret-checksum-key'],
      basicAuth: parseBoolean('basic-auth', raw['basic-auth']),
    }
  );
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
