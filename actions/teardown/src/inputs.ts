/**
 * teardown's inputs: one typed record read raw from the runner, validated by the pure
 * `parseInputs` (the target of the table tests), then rendered per service by `planTeardown`.
 * Every check runs before anything is contacted, so a bad input deletes nothing.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  InputError,
  readInputs,
  parseBoolean,
  parseEnvironmentTemplate,
  parseRequestTimeout,
  parseStepTimeout,
  parseList,
  parsePrNumber,
  planEcrRepository,
  planService,
  planEnvironment,
  planNamespace,
  planRelease,
  planVaultPath,
  renderTemplate,
  templateVars,
} from '@preview-fleet/core';
import { DEFAULT_COMMENT_AUTHOR, parseCommentAuthor } from '@preview-fleet/core/github';
import {
  parseVaultInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type TeardownTarget,
  type VaultInputs,
} from '@preview-fleet/core/lifecycle';
import { isUnderPrefix, normalizePrefix } from '@preview-fleet/core/vault';

export const INPUT_NAMES = [
  'github-token',
  'pr-number',
  'label',
  'services',
  'namespace',
  'release',
  'target-path',
  'repository',
  'environment',
  ...VAULT_INPUT_NAMES,
  'aws-region',
  'timeout',
  'delete-vault-path',
  'delete-ecr-repository',
  'request-timeout',
  'comment-author',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
export type RawInputs = Partial<Record<InputName, string>>;

/** The TypeScript defaults; a test proves action.yml says the same (github-token's is `${{ github.token }}`). */
export const DEFAULTS: Record<InputName, string> = {
  'github-token': '',
  'pr-number': '',
  label: 'preview',
  services: 'app',
  namespace: DEFAULT_TEMPLATES.namespace,
  release: DEFAULT_TEMPLATES.release,
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  repository: DEFAULT_TEMPLATES.ecrRepository,
  environment: DEFAULT_TEMPLATES.environment,
  ...VAULT_INPUT_DEFAULTS,
  'aws-region': '',
  timeout: '5m',
  'delete-vault-path': 'true',
  'delete-ecr-repository': 'true',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'comment-author': DEFAULT_COMMENT_AUTHOR,
};

const SECRET_INPUTS: readonly string[] = ['github-token', ...VAULT_SECRET_INPUTS];

export interface Inputs {
  'github-token': string;
  'pr-number': string;
  label: string;
  services: string[];
  templates: { namespace: string; release: string; vaultPath: string; repository: string; environment: string };
  /** Undefined when delete-vault-path is false. */
  vault?: VaultInputs;
  /** Region for ECR; undefined when delete-ecr-repository is false. */
  awsRegion?: string;
  /** The whole step's bound; each helm/namespace wait gets what is left of it. */
  timeoutMs: number;
  /** One request's bound (Kubernetes API, Vault, ECR, GitHub). */
  requestTimeoutMs: number;
  /** Our own login: only marker comments it wrote are edited. */
  commentAuthor: string;
}

/** Reads every input from the runner; secrets are masked as they are read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

/** Validates the raw inputs; `env` supplies AWS_REGION and the OIDC request variables. */
export function parseInputs(given: RawInputs, env: Record<string, string | undefined> = process.env): Inputs {
  const raw = { ...DEFAULTS, ...given };
  const prNumber = raw['pr-number'].trim();
  if (prNumber !== '') parsePrNumber('pr-number', prNumber);
  const label = raw.label.trim();
  if (label === '')
    throw new InputError('label', '', 'must not be empty: it is the opt-in label whose removal tears the preview down');
  // The same normalisation deploy-helm applies, so `App Server` names the release it deployed.
  const services = [...new Set(parseList('services', raw.services).map((s) => planService('services', s)))];
  if (services.length === 0) throw new InputError('services', raw.services, 'must list at least one service');
  const deleteVault = parseBoolean('delete-vault-path', raw['delete-vault-path']);
  const deleteEcr = parseBoolean('delete-ecr-repository', raw['delete-ecr-repository']);
  const timeoutMs = parseStepTimeout(raw.timeout);
  const requestTimeoutMs = parseRequestTimeout(raw['request-timeout']);
  const vault = deleteVault
    ? parseVaultInputs(raw, env, 'delete-vault-path is true', 'set delete-vault-path: false')
    : undefined;
  const awsRegion = deleteEcr
    ? raw['aws-region'].trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim()
    : undefined;
  if (deleteEcr && !awsRegion) {
    throw new InputError(
      'aws-region',
      raw['aws-region'],
      'is required while delete-ecr-repository is true (and AWS_REGION is not set)',
      'Run aws-actions/configure-aws-credentials first, set aws-region, or set delete-ecr-repository: false',
    );
  }
  return {
    'github-token': raw['github-token'].trim(),
    'pr-number': prNumber,
    label,
    services,
    vault,
    awsRegion,
    timeoutMs,
    requestTimeoutMs,
    commentAuthor: parseCommentAuthor('comment-author', raw['comment-author']),
    templates: {
      namespace: raw.namespace.trim(),
      release: raw.release.trim(),
      vaultPath: raw['target-path'].trim(),
      repository: raw.repository.trim(),
      environment: parseEnvironmentTemplate('environment', raw.environment),
    },
  };
}

export interface TeardownPlan {
  targets: TeardownTarget[];
  environments: string[];
}

/** Renders every name for this PR and checks it (system namespaces refused, Vault paths inside the prefix). */
export function planTeardown(
  inputs: Inputs,
  pr: { number: number; headSha?: string; headRef?: string; baseRef?: string; author?: string },
  repository: string,
): TeardownPlan {
  const targets: TeardownTarget[] = [];
  const environments = new Set<string>();
  for (const service of inputs.services) {
    const vars = templateVars(pr, repository, service);
    const t = inputs.templates;
    const target: TeardownTarget = {
      service,
      namespace: planNamespace('namespace', renderTemplate('namespace', t.namespace, vars)),
      release: planRelease('release', renderTemplate('release', t.release, vars)),
    };
    if (inputs.vault) {
      const path = planVaultPath('target-path', renderTemplate('target-path', t.vaultPath, vars));
      if (!isUnderPrefix(path, inputs.vault.allowedPrefix)) {
        throw new InputError(
          'target-path',
          path,
          `must lie under allowed-prefix "${normalizePrefix(inputs.vault.allowedPrefix)}"`,
        );
      }
      target.vaultPath = path;
    }
    if (inputs.awsRegion)
      target.ecrRepository = planEcrRepository('repository', renderTemplate('repository', t.repository, vars));
    environments.add(planEnvironment('environment', renderTemplate('environment', t.environment, vars)));
    targets.push(target);
  }
  return { targets, environments: [...environments] };
}
