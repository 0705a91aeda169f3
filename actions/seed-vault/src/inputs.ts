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
  InputError,
  input,
  readInputs,
  parseDuration,
  parseEnum,
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
import { guardTarget, type KvVersion, type VaultAuthMethod } from '@preview-fleet/core/vault';

export const INPUT_NAMES = [
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
export type RawInputs = Partial<Record<InputName, string>>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
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

const SECRET_INPUTS: readonly InputName[] = ['secret-id', 'token', 'overrides'];
const AUTH_METHODS = ['jwt', 'approle', 'token'] as const satisfies readonly VaultAuthMethod[];

export interface Inputs {
  'vault-addr': URL;
  'vault-namespace'?: string;
  'auth-method': VaultAuthMethod;
  role?: string;
  'jwt-audience': string;
  'role-id'?: string;
  'secret-id'?: string;
  token?: string;
  mount: string;
  'kv-version': KvVersion;
  service: string;
  'source-path': string;
  'target-path': string;
  'allowed-prefix': string;
  overrides: Map<string, string>;
  ttl: number;
  'ui-url'?: URL;
  'pr-number': string;
  /** Secret values (and lines) shorter than this are not masked (google-github-actions' min_mask_length). */
  'min-mask-length': number;
  /** The whole step's bound (ms). */
  timeout: number;
  /** One Vault request's bound (ms). */
  'request-timeout': number;
}

/** Bounds of min-mask-length: 1 masks every non-empty line. */
const MASK_LENGTH_BOUNDS = { min: 1, max: 256 };

/**
 * Reads every input from the runner; secrets are masked as they are read, so min-mask-length is
 * read (and applied to the process's masking) first.
 */
export function readRawInputs(): RawInputs {
  setMinMaskLength(
    parseInteger(
      'min-mask-length',
      input.string('min-mask-length') || DEFAULTS['min-mask-length']!,
      MASK_LENGTH_BOUNDS,
    ),
  );
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

const opt = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * Validates the raw inputs. `env` is consulted only for the OIDC request variables: with
 * auth-method jwt and no ACTIONS_ID_TOKEN_REQUEST_URL the job lacks `id-token: write`.
 */
export function parseInputs(given: RawInputs, env: Record<string, string | undefined> = process.env): Inputs {
  const raw = { ...DEFAULTS, ...given };
  const addr = opt(raw['vault-addr']);
  if (!addr)
    throw new InputError('vault-addr', '', 'is required: the Vault address, e.g. https://vault.example.com:8200');
  const method = parseEnum('auth-method', raw['auth-method'] ?? '', AUTH_METHODS);
  const out: Inputs = {
    'vault-addr': parseUrl('vault-addr', addr),
    'vault-namespace': opt(raw['vault-namespace']),
    'auth-method': method,
    role: opt(raw.role),
    'jwt-audience': opt(raw['jwt-audience']) ?? 'vault',
    'role-id': opt(raw['role-id']),
    'secret-id': opt(raw['secret-id']),
    token: opt(raw.token),
    mount: planVaultPath('mount', (raw.mount ?? '').trim().replace(/\/+$/, '')),
    'kv-version': Number(parseEnum('kv-version', (raw['kv-version'] ?? '').trim(), ['1', '2'] as const)) as KvVersion,
    service: planService('service', raw.service ?? ''),
    'source-path': (raw['source-path'] ?? '').trim(),
    'target-path': (raw['target-path'] ?? '').trim(),
    'allowed-prefix': (raw['allowed-prefix'] ?? '').trim(),
    overrides: parseKeyValueMap('overrides', raw.overrides ?? ''),
    ttl: parseDuration('ttl', raw.ttl ?? '', DURATION_BOUNDS.ttl),
    'ui-url': opt(raw['ui-url']) ? parseUrl('ui-url', raw['ui-url']!) : undefined,
    'pr-number': (raw['pr-number'] ?? '').trim(),
    'min-mask-length': parseInteger('min-mask-length', raw['min-mask-length'] ?? '', MASK_LENGTH_BOUNDS),
    timeout: parseStepTimeout(raw.timeout ?? ''),
    'request-timeout': parseRequestTimeout(raw['request-timeout'] ?? ''),
  };
  if (out['pr-number'] !== '') parsePrNumber('pr-number', out['pr-number']);
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
  if (method === 'approle' && (!out['role-id'] || !out['secret-id'])) {
    throw new InputError(out['role-id'] ? 'secret-id' : 'role-id', '', 'is required with auth-method approle');
  }
  if (method === 'token' && !out.token) throw new InputError('token', '', 'is required with auth-method token');
  return out;
}

export interface SeedPlan {
  sourcePath: string;
  targetPath: string;
  allowedPrefix: string;
}

/** Renders and checks both paths for one PR: relative, no traversal, target under the prefix and not the source. */
export function planSeed(inputs: Inputs, pr: { number: number; headSha?: string }, repository: string): SeedPlan {
  const vars = templateVars(pr, repository, inputs.service);
  const sourcePath = planVaultPath('source-path', renderTemplate('source-path', inputs['source-path'], vars));
  const targetPath = planVaultPath('target-path', renderTemplate('target-path', inputs['target-path'], vars));
  const prefix = inputs['allowed-prefix'];
  if (prefix.replace(/\/+$/, '') !== '') planVaultPath('allowed-prefix', prefix.replace(/\/+$/, ''));
  guardTarget({ sourcePath, targetPath, allowedPrefix: prefix });
  return { sourcePath, targetPath, allowedPrefix: prefix };
}

/** Link to the path in Vault's UI (1.15+ KV v2 route; v1 uses the older show route). */
export function vaultUiUrl(inputs: Inputs, targetPath: string): string {
  const base = (inputs['ui-url'] ?? inputs['vault-addr']).toString().replace(/\/+$/, '');
  const root = /\/ui$/.test(base) ? base : `${base}/ui`;
  const mount = encodeURIComponent(inputs.mount);
  const path =
    inputs['kv-version'] === 2
      ? `${root}/vault/secrets/${mount}/kv/${encodeURIComponent(targetPath)}`
      : `${root}/vault/secrets/${mount}/show/${targetPath.split('/').map(encodeURIComponent).join('/')}`;
  return inputs['vault-namespace'] ? `${path}?namespace=${encodeURIComponent(inputs['vault-namespace'])}` : path;
}
