import { createGitHubClient, type GitHubClient } from '@preview-fleet/core/github';
import type { GitHubStandIn } from '../../src/github/index.js';

/** The client the actions use, pointed at the stand-in, with waits shortened (1 ms per Retry-After second, writes unpaced). */
export function clientFor(gh: GitHubStandIn, token = gh.token, rateLimitRetries = 3): GitHubClient {
  return createGitHubClient(token, { baseUrl: gh.url, retryAfterBaseMs: 1, paceWrites: false, rateLimitRetries });
}

export const repo = { owner: 'acme', repo: 'web' } as const;
