/**
 * deploy-helm's Vault inputs (issue 16 part 1): core's Vault inputs (the same names, defaults and
 * checks as seed-vault's, so the all-in-one action passes one set to both) plus where the PR's
 * copy is. With `vault-addr` set and `secret-sync: secret`, the copy at `target-path` is
 * materialised as a marked Secret in the namespace on every deploy.
 */
import { parseEnum, planVaultPath, renderTemplate, templateVars, DEFAULT_TEMPLATES } from '@preview-fleet/core';
import { parseVaultInputs, VAULT_INPUT_DEFAULTS, VAULT_INPUT_NAMES, type VaultInputs } from '@preview-fleet/core/vault';

export { VAULT_SECRET_INPUTS } from '@preview-fleet/core/vault';

export const VAULT_SYNC_INPUT_NAMES = [
  ...VAULT_INPUT_NAMES,
  'target-path',
  'secret-sync',
  'secret-checksum-key',
] as const;
export type VaultSyncInputName = (typeof VAULT_SYNC_INPUT_NAMES)[number];

export const VAULT_SYNC_DEFAULTS: Record<VaultSyncInputName, string> = {
  ...VAULT_INPUT_DEFAULTS,
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  'secret-sync': 'secret',
  'secret-checksum-key': 'secretChecksum',
};

export interface VaultSync extends VaultInputs {
  /** The template; rendered per PR by `renderVaultTarget`. */
  targetPath: string;
  checksumKey: string;
}

/** Undefined when there is nothing to sync (no vault-addr, or secret-sync none). */
export function parseVaultSync(
  raw: Record<VaultSyncInputName, string>,
  env: Record<string, string | undefined>,
): VaultSync | undefined {
  const mode = parseEnum('secret-sync', raw['secret-sync'], ['secret', 'none'] as const);
  const vault = mode === 'none' ? undefined : parseVaultInputs(raw, env);
  return vault && { ...vault, targetPath: raw['target-path'], checksumKey: raw['secret-checksum-key'] };
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
