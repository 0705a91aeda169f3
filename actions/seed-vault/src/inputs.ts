/**
 * seed-vault's inputs: one typed record, read raw from the runner and validated by the pure
 * `parseInputs` (the target of the table tests), then turned into a plan by `planSeed`. Every
 * check runs before Vault is contacted, so a bad input writes nothing.
 */
import {
  DEFAULT_MIN_MASK_LENGTH,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  DURATION_BOUNDS,
  input,
  optional,
  readInputs,
  parseDuration,
  parseInteger,
  parseKeyValueMap,
  parsePrNumber,
  parseRequestTimeout,
  parseStepTimeout,
  parseUrl,
  planService,
  planVaultPath,
  renderTemplate,
  setMinMaskLength,
  templateVars,
} from '@preview-fleet/core';
import {
  guardTarget,
  parseVaultInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type VaultInputs,
} from '@preview-fleet/core/vault';

export const INPUT_NAMES = [
  ...VAULT_INPUT_NAMES,
  'service',
  'source-path',
  'target-path',
  'allowed-prefix',
  'overrides',
  'ttl',
  'ui-url',
  'pr-number',
  'min-mask-length',
  'timeout',
  'request-timeout',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  ...VAULT_INPUT_DEFAULTS,
  service: 'app',
  'source-path': DEFAULT_TEMPLATES.vaultSource,
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  'allowed-prefix': 'preview/',
  overrides: '',
  ttl: '72h',
  'ui-url': '',
  'pr-number': '',
  'min-mask-length': String(DEFAULT_MIN_MASK_LENGTH),
  timeout: '5m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
};

const SECRET_INPUTS: readonly InputName[] = [...VAULT_SECRET_INPUTS, 'overrides'];

export interface Inputs {
  vault: VaultInputs;
  service: string;
  sourcePath: string;
  targetPath: string;
  allowedPrefix: string;
  overrides: Map<string, string>;
  ttlMs: number;
  uiUrl?: URL;
  prNumber: string;
  /** Secret values (and lines) shorter than this are not masked (google-github-actions' min_mask_length). */
  minMaskLength: number;
  /** The whole step's bound. */
  timeoutMs: number;
  /** One Vault request's bound. */
  requestTimeoutMs: number;
}

/** Bounds of min-mask-length: 1 masks every non-empty line. */
const MASK_LENGTH_BOUNDS = { min: 1, max: 256 };

/**
 * Reads every input from the runner; secrets are masked as they are read, so min-mask-length is
 * read (and applied to the process's masking) first.
 */
export function readRawInputs(): RawInputs {
  setMinMaskLength(
    parseInteger('min-mask-length', input.string('min-mask-length') || DEFAULTS['min-mask-length'], MASK_LENGTH_BOUNDS),
  );
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

/**
 * Validates the raw inputs. `env` is consulted only for the OIDC request variables: with
 * auth-method jwt and no ACTIONS_ID_TOKEN_REQUEST_URL the job lacks `id-token: write`.
 */
export function parseInputs(given: Partial<RawInputs>, env: Record<string, string | undefined> = process.env): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const vault = parseVaultInputs(raw, env, {});
  const uiUrl = optional(raw['ui-url']);
  const prNumber = raw['pr-number'];
  if (prNumber !== '') parsePrNumber('pr-number', prNumber);
  return {
    vault,
    service: planService('service', raw.service),
    sourcePath: raw['source-path'],
    targetPath: raw['target-path'],
    allowedPrefix: raw['allowed-prefix'],
    overrides: parseKeyValueMap('overrides', raw.overrides),
    ttlMs: parseDuration('ttl', raw.ttl, DURATION_BOUNDS.ttl),
    uiUrl: uiUrl === undefined ? undefined : parseUrl('ui-url', uiUrl),
    prNumber,
    minMaskLength: parseInteger('min-mask-length', raw['min-mask-length'], MASK_LENGTH_BOUNDS),
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
  };
}

export interface SeedPlan {
  sourcePath: string;
  targetPath: string;
  allowedPrefix: string;
}

/** Renders and checks both paths for one PR: relative, no traversal, target under the prefix and not the source. */
export function planSeed(inputs: Inputs, pr: { number: number; headSha?: string }, repository: string): SeedPlan {
  const vars = templateVars(pr, repository, inputs.service);
  const sourcePath = planVaultPath('source-path', renderTemplate('source-path', inputs.sourcePath, vars));
  const targetPath = planVaultPath('target-path', renderTemplate('target-path', inputs.targetPath, vars));
  const prefix = inputs.allowedPrefix;
  if (prefix.replace(/\/+$/, '') !== '') planVaultPath('allowed-prefix', prefix.replace(/\/+$/, ''));
  guardTarget({ sourcePath, targetPath, allowedPrefix: prefix });
  return { sourcePath, targetPath, allowedPrefix: prefix };
}

/** Link to the path in Vault's UI (1.15+ KV v2 route; v1 uses the older show route). */
export function vaultUiUrl(inputs: Inputs, targetPath: string): string {
  const base = (inputs.uiUrl?.toString() ?? inputs.vault.addr).replace(/\/+$/, '');
  const root = /\/ui$/.test(base) ? base : `${base}/ui`;
  const mount = encodeURIComponent(inputs.vault.mount);
  const path =
    inputs.vault.kvVersion === 2
      ? `${root}/vault/secrets/${mount}/kv/${encodeURIComponent(targetPath)}`
      : `${root}/vault/secrets/${mount}/show/${targetPath.split('/').map(encodeURIComponent).join('/')}`;
  return inputs.vault.namespace ? `${path}?namespace=${encodeURIComponent(inputs.vault.namespace)}` : path;
}
