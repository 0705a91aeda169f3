/**
 * `@preview-fleet/core/vault`: log in (JWT from the runner's OIDC, AppRole, token), clone stage
 * secrets into a per-PR path exactly once, and remove / inventory only the paths we marked.
 */
export { loginVault, type LoginOptions, type VaultSession, type VaultAuthMethod } from './session.js';
export { seedSecrets, type SeedOptions, type SeedResult } from './seed.js';
export { removeVaultPath, listMarkedPaths, type RemoveOptions, type ListMarkedOptions } from './removal.js';
export { renewVaultExpiry, type RenewExpiryOptions } from './expiry.js';
export { VaultRequestError, sanitizeVaultError } from './errors.js';
export {
  dataPath,
  metadataPath,
  isUnderPrefix,
  normalizePrefix,
  policyHint,
  guardTarget,
  parentFolder,
  v1MarkerPath,
  V1_MARKER_SUFFIX,
  type KvVersion,
} from './paths.js';
export { ownsPath } from './ownership.js';
export { readPrSecret, type ReadPrSecretOptions } from './read.js';
export {
  parseVaultInputs,
  parseVaultRemovalInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type VaultInputs,
  type VaultInputName,
  type VaultNeed,
  type VaultRemovalInputs,
} from './inputs.js';
export { ensureBasicAuth, BASIC_AUTH_KEYS, BASIC_AUTH_USER, type BasicAuthCredentials } from './basic-auth.js';
