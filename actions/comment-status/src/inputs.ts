/**
 * comment-status's inputs: read raw from the runner, validated by the pure `parseInputs` (the
 * target of the table tests). Every check runs before GitHub is contacted, so a bad input writes
 * no comment and no deployment.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  InputError,
  readInputs,
  parseBoolean,
  parseEnum,
  parseEnvironmentTemplate,
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
  'vault-url',
  'details',
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
export type RawInputs = Partial<Record<InputName, string>>;

/** The TypeScript defaults; a test proves action.yml says the same (github-token is the runner's). */
export const DEFAULTS: RawInputs = {
  'github-token': '${{ github.token }}',
  state: '',
  service: 'app',
  url: '',
  namespace: '',
  image: '',
  'vault-url': '',
  details: '',
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
  'github-token': string;
  state: PreviewState;
  service: string;
  url?: string;
  namespace?: string;
  image?: string;
  'vault-url'?: string;
  details?: string;
  'log-url'?: string;
  'pr-number': string;
  environment: string;
  deployment: boolean;
  'fail-on-error': boolean;
  /** Our own login: only marker comments it wrote are ours. */
  'comment-author': string;
  /** The whole step's bound (its expiry fails the step whatever fail-on-error says). */
  timeoutMs: number;
  /** One GitHub request's bound (GETs that run out are retried, writes are not). */
  requestTimeoutMs: number;
}

/** Reads every input; the token is masked as it is read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: ['github-token'] });
}

const opt = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Validates the raw inputs (pure). */
export function parseInputs(given: RawInputs): Inputs {
  const raw = { ...DEFAULTS, ...given };
  const token = (raw['github-token'] ?? '').trim();
  if (token === '' || token === DEFAULTS['github-token']) {
    throw new InputError(
      'github-token',
      '',
      'is required',
      "The default is the job's ${{ github.token }}; pass another token only to widen what it may write",
    );
  }
  const stateRaw = (raw.state ?? '').trim();
  if (stateRaw === '')
    throw new InputError('state', '', `is required: one of ${PREVIEW_STATES.map((s) => `"${s}"`).join(', ')}`);
  const service = planService('service', raw.service ?? '');
  const url = (name: InputName): string | undefined => {
    const v = opt(raw[name]);
    return v === undefined ? undefined : parseUrl(name, v).toString();
  };
  const environment = parseEnvironmentTemplate('environment', raw.environment ?? '');
  const out: Inputs = {
    'github-token': token,
    state: parseEnum('state', stateRaw, PREVIEW_STATES),
    service,
    url: url('url'),
    namespace: opt(raw.namespace),
    image: opt(raw.image),
    'vault-url': url('vault-url'),
    details: opt(raw.details),
    'log-url': url('log-url'),
    'pr-number': (raw['pr-number'] ?? '').trim(),
    environment,
    deployment: parseBoolean('deployment', raw.deployment ?? ''),
    'fail-on-error': parseBoolean('fail-on-error', raw['fail-on-error'] ?? ''),
    'comment-author': parseCommentAuthor('comment-author', raw['comment-author'] ?? ''),
    timeoutMs: parseStepTimeout(raw.timeout ?? ''),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout'] ?? ''),
  };
  if (out['pr-number'] !== '') parsePrNumber('pr-number', out['pr-number']);
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
