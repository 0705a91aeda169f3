/**
 * The GitHub client every action shares: @actions/github's Octokit with the well-kept throttling
 * and retry plugins, which implement GitHub's primary and secondary rate-limit rules.
 */
import { getOctokit } from '@actions/github';
import { retry as retryPlugin } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { waitingOn } from '../runtime/deadline.js';
import { ActionError } from '../runtime/errors.js';
import { log } from '../runtime/outputs.js';
import { formatDuration } from '../runtime/parse.js';

/** One GitHub request may take this long unless the user says otherwise (`request-timeout`). */
export const DEFAULT_GITHUB_REQUEST_TIMEOUT_MS = 30_000;

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  /** API base URL (GITHUB_API_URL; GHES or the sandbox). */
  baseUrl?: string;
  /** Retries after a rate limit before giving up (default 3). */
  rateLimitRetries?: number;
  /** Longest Retry-After we are willing to wait, in seconds (default 120). */
  maxRetryAfterSeconds?: number;
  /**
   * Milliseconds per second of Retry-After and of the 5xx backoff (default 1000). Tests and the
   * sandbox pass 1, so a 60 s secondary-limit wait lasts 60 ms; production leaves it alone.
   */
  retryAfterBaseMs?: number;
  /**
   * false skips the throttling plugin's spacing of writes (1 s apart, 3 s for writes that notify,
   * as GitHub asks of integrations); only for tests and the sandbox. Default true.
   */
  paceWrites?: boolean;
  /** How long one request (one attempt) may go unanswered (default 30 s; input `request-timeout`). */
  requestTimeoutMs?: number;
}

/** Where the caller's own abort signal (if any) is kept across attempts. */
const CALLER_SIGNAL = Symbol('preview-fleet caller signal');

/**
 * An Octokit plugin, listed first so its hook wraps each single attempt (inside the retry and
 * throttling plugins): every request gets its own timeout and is a named wait for the step
 * deadline. A GET that timed out stays a RequestError (500), so plugin-retry tries it again; a
 * write that timed out becomes an ActionError, which no plugin retries — it may have landed.
 */
function requestTimeout(timeoutMs: number, baseUrl: string) {
  return (octokit: {
    hook: { wrap(name: 'request', fn: (request: (o: any) => Promise<any>, options: any) => Promise<any>): void };
  }) => {
    octokit.hook.wrap('request', (request, options) => {
      const signal = AbortSignal.timeout(timeoutMs);
      // plugin-retry calls this hook again with the same `options` object (the inner request is bound
      // to it), so the signal set here must be rebuilt per attempt from the caller's own signal: left
      // as it was, the first attempt's aborted timeout would abort every retry at once.
      const req = (options.request ?? {}) as Record<string | symbol, unknown>;
      const given = (CALLER_SIGNAL in req ? req[CALLER_SIGNAL] : req.signal) as AbortSignal | undefined;
      options.request = {
        ...req,
        [CALLER_SIGNAL]: given,
        signal: given ? AbortSignal.any([given, signal]) : signal,
      };
      const what = `${String(options.method)} ${String(options.url)}`;
      return waitingOn(`the GitHub API at ${baseUrl}`, what, () => request(options)).catch((err: unknown) => {
        if (!signal.aborted) throw namingGitHub(err, baseUrl, what);
        const method = String(options.method).toUpperCase();
        const message = `The GitHub API at ${baseUrl} did not answer within ${formatDuration(timeoutMs)} (${what})`;
        if (method === 'GET' || method === 'HEAD') throw Object.assign(err as object, { message });
        throw new ActionError(message, {
          hint: 'Not retried: the write may have landed. Re-run the job (every write is idempotent), or raise request-timeout',
          cause: err,
        });
      });
    });
    return {};
  };
}

/**
 * Makes an Octokit error's message name the GitHub API, the call and, for an answer, its status
 * ("The GitHub API at … answered 503 to GET /repos/{owner}/{repo}/pulls: Service Unavailable"), so
 * every message built on it says which system failed; a connection reset says "failed on". The
 * error stays the same object (status, response) for the throttling and retry plugins.
 */
function namingGitHub(err: unknown, baseUrl: string, what: string): unknown {
  if (err === null || typeof err !== 'object' || typeof (err as Error).message !== 'string') return err;
  const e = err as Error & { status?: number; response?: unknown };
  if (e.message.startsWith('The GitHub API')) return err;
  const answered = e.response !== undefined && typeof e.status === 'number';
  e.message = answered
    ? `The GitHub API at ${baseUrl} answered ${e.status} to ${what}: ${e.message}`
    : `The GitHub API at ${baseUrl} failed on ${what}: ${e.message}`;
  return err;
}

/** A Bottleneck-group look-alike that runs jobs at once (the plugin calls `key(id).schedule(opts, fn)`). */
const unpaced = {
  key: () => ({
    schedule: (_opts: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve(fn(...args)),
  }),
};

export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  const retries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const base = options.retryAfterBaseMs === undefined ? {} : { retryAfterBaseValue: options.retryAfterBaseMs };
  const baseUrl = options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
  return getOctokit(
    token,
    {
      baseUrl,
      retry: { ...base },
      throttle: {
        ...base,
        ...(options.paceWrites === false ? { write: unpaced, notifications: unpaced } : {}),
        onRateLimit: (retryAfter: number, opts: any, _octokit: unknown, retryCount: number) => {
          log.warning(`GitHub rate limit on ${opts.method} ${opts.url}; retrying after ${retryAfter}s`);
          return retryCount < retries && retryAfter <= maxWait;
        },
        onSecondaryRateLimit: (retryAfter: number, opts: any, _octokit: unknown, retryCount: number) => {
          log.warning(`GitHub secondary rate limit on ${opts.method} ${opts.url}; retrying after ${retryAfter}s`);
          return retryCount < retries && retryAfter <= maxWait;
        },
      },
    } as any,
    requestTimeout(options.requestTimeoutMs ?? DEFAULT_GITHUB_REQUEST_TIMEOUT_MS, baseUrl) as any,
    throttling as any,
    retryPlugin as any,
  );
}

/** HTTP status of an Octokit RequestError (or undefined). */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Fork PRs (and Dependabot) get a read-only GITHUB_TOKEN: every write is 403 "Resource not
 * accessible by integration".
 */
export function isReadOnlyTokenError(err: unknown): boolean {
  return statusOf(err) === 403 && /Resource not accessible by integration/i.test(String((err as Error)?.message));
}
