/**
 * comment-status's inputs: read raw from the runner, validated by the pure `parseInputs` (the
 * target of the table tests). Every check runs before GitHub is contacted, so a bad input writes
 * no comment and no deployment.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  GITHUB_TOKEN_DEFAULT,
  InputError,
  optional,
  readInputs,
  parseBoolean,
  parseEnum,
  parseEnvironmentTemplate,
  parseGitHubToken,
  parsePrNumber,
  parseRequestTimeout,
  parseStepTimeout,
  parseUrl,
  planEnvironment,
  planService,
  renderTemplate,
  templateVars,
} from '@preview-fleet/core';
import {
  DEFAULT_COMMENT_AUTHOR,
  PREVIEW_STATES,
  parseCommentAuthor,
  type PreviewState,
} from '@preview-fleet/core/github';

export const INPUT_NAMES = [
  'github-token',
  'state',
  'service',
  'url',
  'namespace',
  'image',
  'image-source',
  'vault-url',
  'details',
  'cost',
  'log-url',
  'pr-number',
  'environment',
  'deployment',
  'fail-on-error',
  'comment-author',
  'timeout',
  'request-timeout',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  'github-token': GITHUB_TOKEN_DEFAULT,
  state: '',
  service: 'app',
  url: '',
  namespace: '',
  image: '',
  'image-source': '',
  'vault-url': '',
  details: '',
  cost: '',
  'log-url': '',
  'pr-number': '',
  environment: DEFAULT_TEMPLATES.environment,
  deployment: 'true',
  'fail-on-error': 'false',
  'comment-author': DEFAULT_COMMENT_AUTHOR,
  timeout: '5m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
};

export interface Inputs {
  githubToken: string;
  state: PreviewState;
  service: string;
  url?: string;
  namespace?: string;
  image?: string;
  /** `built` or `reused` (build-push's image-source output). */
  imageSource?: 'built' | 'reused';
  vaultUrl?: string;
  details?: string;
  /** The hourly estimate shown under the table (deploy-helm's cost output). */
  cost?: string;
  logUrl?: string;
  prNumber: string;
  environment: string;
  deployment: boolean;
  failOnError: boolean;
  /** Our own login: only marker comments it wrote are ours. */
  commentAuthor: string;
  /** The whole step's bound (its expiry fails the step whatever fail-on-error says). */
  timeoutMs: number;
  /** One GitHub request's bound (GETs that run out are retried, writes are not). */
  requestTimeoutMs: number;
}

const IMAGE_SOURCES = ['built', 'reused'] as const;

/** Reads every input; the token is masked as it is read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: ['github-token'] });
}

/** Validates the raw inputs (pure). */
export function parseInputs(given: Partial<RawInputs>): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const githubToken = parseGitHubToken(raw['github-token']);
  if (githubToken === '') {
    throw new InputError(
      'github-token',
      '',
      'is required',
      "The default is the job's ${{ github.token }}; pass another token only to widen what it may write",
    );
  }
  if (raw.state === '')
    throw new InputError('state', '', `is required: one of ${PREVIEW_STATES.map((s) => `"${s}"`).join(', ')}`);
  const service = planService('service', raw.service);
  const url = (name: InputName): string | undefined => {
    const v = optional(raw[name]);
    return v === undefined ? undefined : parseUrl(name, v).toString();
  };
  const environment = parseEnvironmentTemplate('environment', raw.environment);
  const out: Inputs = {
    githubToken,
    state: parseEnum('state', raw.state, PREVIEW_STATES),
    service,
    url: url('url'),
    namespace: optional(raw.namespace),
    image: optional(raw.image),
    imageSource: raw['image-source'] === '' ? undefined : parseEnum('image-source', raw['image-source'], IMAGE_SOURCES),
    vaultUrl: url('vault-url'),
    details: optional(raw.details),
    cost: optional(raw.cost),
    logUrl: url('log-url'),
    prNumber: raw['pr-number'],
    environment,
    deployment: parseBoolean('deployment', raw.deployment),
    failOnError: parseBoolean('fail-on-error', raw['fail-on-error']),
    commentAuthor: parseCommentAuthor('comment-author', raw['comment-author']),
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
  };
  if (out.prNumber !== '') parsePrNumber('pr-number', out.prNumber);
  if (out.state === 'ready' && out.deployment && !out.url) {
    throw new InputError(
      'url',
      '',
      'is required with state "ready" while deployment is true (it becomes the "View deployment" link)',
      "Pass the preview URL (e.g. wait-ready's url output), or set deployment: false for a service without one",
    );
  }
  return out;
}

/** The deployment environment for this PR: core's planner over the rendered template. */
export function environmentFor(
  template: string,
  pr: { number: number; headRef?: string; baseRef?: string; headSha?: string; author?: string },
  repository: string,
  service: string,
): string {
  return planEnvironment('environment', renderTemplate('environment', template, templateVars(pr, repository, service)));
}
