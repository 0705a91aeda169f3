/**
 * wait-ready's inputs: read raw, validated by the pure `parseInputs` before anything is waited on.
 * Header values are masked as they are read.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DNS_LABEL,
  InputError,
  optional,
  parseBoolean,
  readInputs,
  maskSecret,
  parseList,
  parseRequestTimeout,
  parseStepTimeout,
  parseUrl,
  planNamespace,
  refuseMetadataUrl,
} from '@preview-fleet/core';
import {
  WORKLOAD_KINDS,
  parseApplicationRef,
  parseExpectStatus,
  parseHeaders,
  splitCommandLine,
  type ApplicationRef,
  type StatusRange,
  type WorkloadKind,
} from '@preview-fleet/core/kube';

export const INPUT_NAMES = [
  'namespace',
  'kinds',
  'selector',
  'url',
  'health-path',
  'expect-status',
  'timeout',
  'headers',
  'smoke-command',
  'argocd-application',
  'request-timeout',
  'argocd-revision',
  'junit-report',
  'report-url',
  'seed-job',
  'basic-auth-secret',
  'warm-up',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  namespace: '',
  kinds: 'deployments,statefulsets',
  selector: '',
  url: '',
  'health-path': '/',
  'expect-status': '200-399',
  timeout: '5m',
  headers: '',
  'smoke-command': '',
  'argocd-application': '',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'argocd-revision': '',
  'junit-report': '',
  'report-url': '',
  'seed-job': '',
  'basic-auth-secret': '',
  'warm-up': 'true',
};

export interface Inputs {
  namespace: string;
  kinds: WorkloadKind[];
  selector?: string;
  /** url + health-path, when a url is given. */
  url?: URL;
  expect: StatusRange[];
  timeoutMs: number;
  /** One Kubernetes API request's bound (kubectl --request-timeout). */
  requestTimeoutMs: number;
  headers: Record<string, string>;
  /** The smoke command's text; split into argv once the URL is known (PREVIEW_URL). */
  smoke?: string;
  /** Path of the JUnit XML report the smoke command writes. */
  junitReport?: string;
  /** Link shown with the smoke results; undefined links the run. */
  reportUrl?: string;
  /** The seed Job in `namespace` whose row counts and duration go into smoke-report. */
  seedJob?: string;
  /** A Secret in `namespace` whose user and password the probe logs in with (a private preview). */
  basicAuthSecret?: string;
  argocd?: ApplicationRef;
  /** The commit the Application must have synced (argocd-revision, else the PR's head SHA). */
  argocdRevision?: string;
  /** A workload asleep at 0 (KEDA HTTP add-on): wake it with the probe (true) or report it sleeping. */
  warmUp: boolean;
}

/** Reads every input from the runner; header values are masked as they are read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: ['headers'] });
}

const SELECTOR = /^[A-Za-z0-9_./!=,()\s-]*$/;

/** A Secret name (DNS-1123 subdomain) in the namespace the probe reads its login from, or empty. */
function parseBasicAuthSecret(raw: string, namespace: string | undefined): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  if (v.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)) {
    throw new InputError(
      'basic-auth-secret',
      raw,
      'must be a Secret name (lowercase letters, digits, - and .) or empty',
    );
  }
  if (namespace === undefined) {
    throw new InputError('basic-auth-secret', raw, "needs namespace: the Secret is read from the preview's namespace");
  }
  return v;
}

/** `headSha`: the pull_request event's head commit, the default of argocd-revision. */
export function parseInputs(given: Partial<RawInputs>, headSha?: string): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const argocd = parseApplicationRef('argocd-application', raw['argocd-application']);
  const revision = optional(raw['argocd-revision']);
  if (revision !== undefined && !/^[0-9a-f]{7,40}$/i.test(revision))
    throw new InputError('argocd-revision', revision, 'must be a commit SHA (7 to 40 hex digits)');
  const argocdRevision = argocd ? (revision || headSha || undefined)?.toLowerCase() : undefined;
  if (argocd && !argocdRevision) {
    throw new InputError(
      'argocd-revision',
      '',
      'is required with argocd-application outside pull_request events',
      'Pass the head SHA the Application must have synced, e.g. ${{ github.event.pull_request.head.sha }}; without it a previous commit could be reported ready.',
    );
  }
  const namespace = optional(raw.namespace);
  if (namespace === undefined && !argocd)
    throw new InputError(
      'namespace',
      '',
      "is required (deploy-helm's namespace output) unless argocd-application is set",
    );
  const kinds = parseList('kinds', raw.kinds).map((k) => {
    const kind = k.toLowerCase();
    if (!(WORKLOAD_KINDS as readonly string[]).includes(kind))
      throw new InputError('kinds', k, `must list ${WORKLOAD_KINDS.join(', ')}`);
    return kind as WorkloadKind;
  });
  if (kinds.length === 0 && !argocd)
    throw new InputError('kinds', raw.kinds, `must list at least one of ${WORKLOAD_KINDS.join(', ')}`);
  const selector = optional(raw.selector);
  if (selector !== undefined && !SELECTOR.test(selector))
    throw new InputError('selector', selector, 'must be a Kubernetes label selector like app=web,tier!=db');
  const healthPath = optional(raw['health-path']) ?? '/';
  if (!healthPath.startsWith('/') || /\s/.test(healthPath))
    throw new InputError('health-path', healthPath, 'must be a path starting with /');
  let url: URL | undefined;
  const urlRaw = optional(raw.url);
  if (urlRaw !== undefined) {
    const base = refuseMetadataUrl('url', urlRaw, parseUrl('url', urlRaw));
    url = new URL(base.toString());
    const [path, query] = healthPath.split('?', 2) as [string, string | undefined];
    url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
    if (query !== undefined) url.search = `?${query}`;
  }
  const headers = parseHeaders('headers', raw.headers);
  for (const v of Object.values(headers)) maskSecret(v);
  const smoke = optional(raw['smoke-command']);
  if (smoke) {
    const argv = splitCommandLine('smoke-command', smoke, { PREVIEW_URL: url?.toString() ?? '' });
    if (argv.length === 0) throw new InputError('smoke-command', smoke, 'must name a command');
  }
  const junitReport = optional(raw['junit-report']);
  if (junitReport && !smoke)
    throw new InputError(
      'junit-report',
      junitReport,
      'needs smoke-command: it is the JUnit XML report the smoke command writes',
    );
  if (junitReport && /[\0\n]/.test(junitReport))
    throw new InputError('junit-report', junitReport, 'must be one file path');
  const reportUrl = optional(raw['report-url']);
  if (reportUrl) parseUrl('report-url', reportUrl);
  const seedJob = optional(raw['seed-job']);
  if (seedJob && (!DNS_LABEL.test(seedJob) || seedJob.length > 63)) {
    throw new InputError(
      'seed-job',
      seedJob,
      'must be a Job name (lowercase letters, digits and -, at most 63 characters), e.g. app-pr-12-seed',
    );
  }
  if (seedJob && namespace === undefined)
    throw new InputError('seed-job', seedJob, "needs namespace: the seed Job is read in the PR's namespace");
  return {
    namespace: namespace === undefined ? '' : planNamespace('namespace', namespace),
    kinds,
    selector,
    url,
    expect: parseExpectStatus('expect-status', raw['expect-status']),
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
    headers,
    smoke,
    argocd,
    argocdRevision,
    junitReport,
    reportUrl,
    seedJob,
    basicAuthSecret: parseBasicAuthSecret(raw['basic-auth-secret'], namespace),
    warmUp: parseBoolean('warm-up', raw['warm-up']),
  };
}
