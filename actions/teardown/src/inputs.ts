/**
 * teardown's inputs: one typed record read raw from the runner, validated by the pure
 * `parseInputs` (the target of the table tests), then rendered per service by `planTeardown`.
 * Every check runs before anything is contacted, so a bad input deletes nothing.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  GITHUB_TOKEN_DEFAULT,
  InputError,
  readInputs,
  requireText,
  parseBoolean,
  parseEnvironmentTemplate,
  parseGitHubToken,
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
import type { RemovalInputs, TeardownTarget } from '@preview-fleet/core/lifecycle';
import { requireRegion } from '@preview-fleet/core/registry';
import {
  isUnderPrefix,
  normalizePrefix,
  parseVaultRemovalInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
} from '@preview-fleet/core/vault';

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
  'allowed-prefix',
  'aws-region',
  'timeout',
  'delete-vault-path',
  'delete-ecr-repository',
  'request-timeout',
  'comment-author',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  'github-token': GITHUB_TOKEN_DEFAULT,
  'pr-number': '',
  label: 'preview',
  services: 'app',
  namespace: DEFAULT_TEMPLATES.namespace,
  release: DEFAULT_TEMPLATES.release,
  'target-path': DEFAULT_TEMPLATES.vaultTarget,
  repository: DEFAULT_TEMPLATES.ecrRepository,
  environment: DEFAULT_TEMPLATES.environment,
  ...VAULT_INPUT_DEFAULTS,
  'allowed-prefix': 'preview/',
  'aws-region': '',
  timeout: '5m',
  'delete-vault-path': 'true',
  'delete-ecr-repository': 'true',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'comment-author': DEFAULT_COMMENT_AUTHOR,
};

const SECRET_INPUTS: readonly InputName[] = ['github-token', ...VAULT_SECRET_INPUTS];

/** How to reach each store (shared with reap-orphans) plus what to remove for this PR. */
export interface Inputs extends RemovalInputs {
  prNumber: string;
  label: string;
  services: string[];
  templates: { namespace: string; release: string; vaultPath: string; repository: string; environment: string };
}

/** Reads every input from the runner; secrets are masked as they are read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

/** Validates the raw inputs; `env` supplies AWS_REGION and the OIDC request variables. */
export function parseInputs(given: Partial<RawInputs>, env: Record<string, string | undefined> = process.env): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const prNumber = raw['pr-number'];
  if (prNumber !== '') parsePrNumber('pr-number', prNumber);
  const label = requireText('label', raw.label, 'it is the opt-in label whose removal tears the preview down');
  // The same normalisation deploy-helm applies, so `App Server` names the release it deployed.
  const services = [...new Set(parseList('services', raw.services).map((s) => planService('services', s)))];
  if (services.length === 0) throw new InputError('services', raw.services, 'must list at least one service');
  const deleteVault = parseBoolean('delete-vault-path', raw['delete-vault-path']);
  const deleteEcr = parseBoolean('delete-ecr-repository', raw['delete-ecr-repository']);
  const timeoutMs = parseStepTimeout(raw.timeout);
  const requestTimeoutMs = parseRequestTimeout(raw['request-timeout']);
  const vault = deleteVault
    ? parseVaultRemovalInputs(raw, env, { while: 'delete-vault-path is true', off: 'set delete-vault-path: false' })
    : undefined;
  const awsRegion = deleteEcr
    ? requireRegion(raw['aws-region'], env, {
        while: 'delete-ecr-repository is true',
        off: 'set delete-ecr-repository: false',
      })
    : undefined;
  return {
    githubToken: parseGitHubToken(raw['github-token']),
    prNumber,
    label,
    services,
    vault,
    awsRegion,
    timeoutMs,
    requestTimeoutMs,
    commentAuthor: parseCommentAuthor('comment-author', raw['comment-author']),
    templates: {
      namespace: raw.namespace,
      release: raw.release,
      vaultPath: raw['target-path'],
      repository: raw.repository,
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
