/**
 * The GitHub client every action shares: @actions/github's Octokit with the well-kept throttling
 * and retry plugins, which implement GitHub's primary and secondary rate-limit rules.
 */
import { getOctokit } from '@actions/github';
import { retry as retryPlugin } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { log } from '../runtime/outputs.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  /** API base URL (GITHUB_API_URL; GHES or the sandbox). */
  baseUrl?: string;
  /** Retries after a rate limit before giving up (default 3). */
  rateLimitRetries?: number;
  /** Longest Retry-After we are willing to wait, in seconds (default 120). */
  maxRetryAfterSeconds?: number;
}

export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  const retries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  return getOctokit(token, {
    baseUrl: options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
    throttle: {
      onRateLimit: (retryAfter: number, opts: any, _octokit: unknown, retryCount: number) => {
        log.warning(`GitHub rate limit on ${opts.method} ${opts.url}; retrying after ${retryAfter}s`);
        return retryCount < retries && retryAfter <= maxWait;
      },
      onSecondaryRateLimit: (retryAfter: number, opts: any, _octokit: unknown, retryCount: number) => {
        log.warning(`GitHub secondary rate limit on ${opts.method} ${opts.url}; retrying after ${retryAfter}s`);
        return retryCount < retries && retryAfter <= maxWait;
      },
    },
  } as any, throttling as any, retryPlugin as any);
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
