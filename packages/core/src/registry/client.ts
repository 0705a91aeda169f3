/**
 * The ECR client and the one door every ECR call goes through (`EcrSession.call`): retried on
 * throttling, 5xx and network errors via core's `retry` (the SDK's own retries are switched off
 * so the schedule is ours and runs on an injected clock), failures named by their operation.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { type Clock, systemClock } from '../clock.js';
import { classifyTransient, retry, type RetryOptions, type Transience } from '../retry.js';
import { ActionError, errorText, formatDuration, waitingOn } from '../runtime/index.js';

/** One ECR request may take this long unless the user says otherwise (`request-timeout`). */
export const DEFAULT_ECR_REQUEST_TIMEOUT_MS = 30_000;

export interface EcrSession {
  readonly client: ECRClient;
  readonly region: string;
  readonly clock: Clock;
  /** Runs one ECR request with retries; `operation` names it in the error (e.g. `CreateRepository app-preview-7`). */
  call<T>(operation: string, fn: (client: ECRClient) => Promise<T>): Promise<T>;
  destroy(): void;
}

export interface EcrSessionOptions {
  /** AWS region; default the AWS_REGION (or AWS_DEFAULT_REGION) environment variable. */
  region?: string;
  clock?: Clock;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'deadlineMs' | 'random'>;
  /** An existing client (tests); by default one is made for `region`. */
  client?: ECRClient;
  env?: Record<string, string | undefined>;
  /** Connect and idle-socket timeout of each request (the SDK's NodeHttpHandler; default 30 s; input `request-timeout`). */
  requestTimeoutMs?: number;
}

/** Error names AWS uses for throttling across services (the SDK's own THROTTLING_ERROR_CODES). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Transient for ECR: throttling by error name, HTTP 429/5xx (`$metadata.httpStatusCode`), ServerException, network errors. */
export function classifyEcrError(err: unknown): Transience {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $fault?: string } | undefined;
  if (e && typeof e === 'object') {
    if (e.name && (THROTTLING.has(e.name) || e.name === 'ServerException')) return { transient: true };
    const status = e.$metadata?.httpStatusCode;
    if (status === 429 || (status !== undefined && status >= 500 && status <= 599)) return { transient: true };
  }
  return classifyTransient(err);
}

/** The error name the SDK gave (`RepositoryNotFoundException`, …), also through an ActionError's cause. */
export function awsErrorName(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 3; depth++) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string' && name !== 'ActionError' && name !== 'Error') return name;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The region from the option, else AWS_REGION / AWS_DEFAULT_REGION (what configure-aws-credentials sets). */
export function resolveRegion(
  region: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const r = region?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  return r || undefined;
}

/**
 * An ECR session. The SDK itself honours AWS_ENDPOINT_URL_ECR (service-specific endpoint
 * variable, SDK v3 ≥ 3.490) and the usual credential chain (env, web identity from
 * configure-aws-credentials' OIDC, profiles), so nothing here reads them.
 */
export function createEcrSession(options: EcrSessionOptions = {}): EcrSession {
  const region = resolveRegion(options.region, options.env);
  if (!region) {
    throw new ActionError('No AWS region: set the aws-region input or AWS_REGION', {
      hint: 'aws-actions/configure-aws-credentials sets AWS_REGION for the following steps',
    });
  }
  const requestMs = options.requestTimeoutMs ?? DEFAULT_ECR_REQUEST_TIMEOUT_MS;
  const client =
    options.client ??
    new ECRClient({
      region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: requestMs, requestTimeout: requestMs },
    });
  const clock = options.clock ?? systemClock;
  return {
    client,
    region,
    clock,
    call(operation, fn) {
      return waitingOn(`ECR in ${region}`, operation, async () => {
        try {
          return await retry(() => fn(client), {
            attempts: 5,
            baseMs: 500,
            deadlineMs: 60_000,
            ...options.retry,
            clock,
            classify: classifyEcrError,
          });
        } catch (err) {
          const name = awsErrorName(err);
          const timedOut = name === 'TimeoutError' || /timed? ?out|ETIMEDOUT/i.test(errorText(err));
          throw new ActionError(`ECR ${operation} failed: ${name ? `${name}: ` : ''}${errorText(err).split('\n')[0]}`, {
            cause: err,
            hint: timedOut
              ? `ECR in ${region} did not answer within ${formatDuration(requestMs)} (request-timeout); check the runner's network or raise request-timeout`
              : hintFor(name),
          });
        }
      });
    },
    destroy: () => client.destroy(),
  };
}

function hintFor(name: string | undefined): string | undefined {
  if (name === 'AccessDeniedException') {
    return 'The role needs ecr:DescribeRepositories, CreateRepository, TagResource, ListTagsForResource, PutLifecyclePolicy, DescribeImages, GetAuthorizationToken and the push actions';
  }
  if (name === 'CredentialsProviderError')
    return 'No AWS credentials: run aws-actions/configure-aws-credentials (OIDC) before this step';
  return undefined;
}
