/**
 * GitHub REST stand-in: a loopback HTTP server speaking api.github.com's REST API for what
 * preview-fleet uses, stateful, with GitHub's auth, rate-limit and error behaviour. Any
 * `owner/name` is served; a repository (with a `main` branch) comes into being on first use.
 *
 * Served (real paths, real shapes): repos/get; pulls create/get/list/update/merge;
 * issues get/update/list-for-repo (PRs carry `pull_request`); issue comments list/create/get/update/delete;
 * labels add/remove/list on an issue; commit statuses create; deployments create/list/get/delete;
 * deployment statuses create/list (GitHub's auto_inactive rule); environments list/get/delete.
 * Anything else GitHub documents answers 404 and is recorded as a violation naming the operation.
 *
 * - Tokens: no token → 401 "Requires authentication"; unknown → 401 "Bad credentials";
 *   `readOnlyToken` (a fork PR's GITHUB_TOKEN) → 403 "Resource not accessible by integration" on writes.
 * - Lists paginate (`per_page` ≤ 100, `page`) with a `Link` header pointing back at the stand-in.
 * - `x-ratelimit-*` headers on every authenticated answer; faults: secondary limits, primary limits, 404/409/410, 5xx,
 *   latency, connection resets, matched by method, path, query (e.g. any page after the first) and after `skip` matching requests.
 * - Every exchange is checked against @octokit/openapi's api.github.com.json; `assertContract()` throws on mismatches.
 *
 * @example
 * const gh = await startGitHub({ clock });
 * const pr = gh.openPullRequest('acme/web', { labels: ['preview'] });
 * const octokit = createGitHubClient(gh.token, { baseUrl: gh.url });
 * await octokit.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: pr.number, body: 'hi' });
 * expect(gh.comments('acme/web', pr.number)).toHaveLength(1);
 * gh.assertContract();
 * await gh.stop();
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '@preview-fleet/core/clock';
import { startLoopbackServer } from '../http/server.js';
import { loadGitHubContract } from './contract.js';
import {
  createGitHubHandler,
  servedOperations,
  type GitHubFault,
  type GitHubRecorder,
  type GitHubRequestRecord,
} from './handler.js';
import * as render from './render.js';
import { addLabels } from './routes-issues.js';
import { createPull, pushToPull } from './routes-pulls.js';
import {
  actionsBot,
  deploymentState,
  newState,
  repoOf,
  touch,
  type Actor,
  type CollaboratorRole,
  type IssueState,
  type RepoState,
} from './state.js';

export { servedOperations } from './handler.js';
export {
  githubContractPath,
  loadGitHubContract,
  trimDocument,
  GitHubContract,
  type GitHubExchange,
  type GitHubOperation,
} from './contract.js';
export type { GitHubFault, GitHubRequestRecord, TokenKind } from './handler.js';
export type { Actor } from './state.js';

export interface GitHubStandInOptions {
  /** Drives timestamps, rate-limit windows and injected latency (FakeClock in tests). Default: real time. */
  clock?: Clock;
  /** Requests per hour before the primary rate limit answers 403 (default 5000, an installation's budget). */
  rateLimit?: number;
}

type Json = Record<string, any>;

export interface GitHubStandIn {
  /** API base URL (GITHUB_API_URL), e.g. http://127.0.0.1:41234. */
  url: string;
  /** A write token acting as github-actions[bot]. */
  token: string;
  /** What a fork PR's workflow gets: reads work, every write is 403 "Resource not accessible by integration". */
  readOnlyToken: string;
  /** Another token (e.g. a user's PAT), acting as `actor`. */
  createToken(opts?: { readOnly?: boolean; actor?: Actor }): string;
  /**
   * Opens a PR through the same state the endpoints use; `head` defaults to `feature-<n>`, `fork`
   * ("owner/name") makes it a fork PR (head.repo is the fork). Returns the `pull-request` object.
   */
  openPullRequest(
    repo: string,
    opts?: {
      labels?: string[];
      head?: string;
      base?: string;
      title?: string;
      body?: string;
      draft?: boolean;
      user?: Actor;
      fork?: string;
    },
  ): Json;
  /** A push to the PR's head branch; returns the new head SHA (and bumps `updated_at`). */
  pushCommit(repo: string, prNumber: number): string;
  /** Closes (or merges) a PR as the web UI would. */
  closePullRequest(repo: string, prNumber: number, opts?: { merged?: boolean }): void;
  /** Adds labels to an issue or PR (labels come into being on first use). */
  addLabels(repo: string, number: number, labels: string[]): void;
  /** Gives `login` a role on the repository (what the collaborator permission endpoint answers). */
  setCollaborator(repo: string, login: string, role: CollaboratorRole): void;
  /** Sets a commit status context (what `required_contexts` of a deployment checks). */
  setCommitStatus(repo: string, sha: string, context: string, state: 'error' | 'failure' | 'pending' | 'success'): void;
  /** Arms a fault; see GitHubFault. Faults apply after authentication, before routing. */
  injectFault(f: GitHubFault): void;
  clearFaults(): void;
  /** Contract mismatches seen so far ("METHOD template ...: what [request]"). */
  contractViolations(): string[];
  /** Throws listing every contract violation seen since the last call (then forgets them, so one failure does not leak into the next test). */
  assertContract(): void;
  /** Requests per OpenAPI operationId (e.g. "issues/list-comments"); "<METHOD> <status>" when unrouted. */
  counters(): Record<string, number>;
  /** Every request in order. */
  requestLog(): GitHubRequestRecord[];
  /** Clears counters and the request log (not state, not violations). */
  resetCounters(): void;
  /** The issue's comments as `issue-comment` objects, oldest first. */
  comments(repo: string, number: number): Json[];
  /** Deployments (newest first) as `deployment` objects plus `state` (latest status) and `statuses` (newest first). */
  deployments(repo: string): Array<Json & { state: string; statuses: Json[] }>;
  /** The PR as `pull-request`, or undefined. */
  pull(repo: string, number: number): Json | undefined;
  /** Label names on an issue or PR. */
  labels(repo: string, number: number): string[];
  /** Environment names of the repository. */
  environments(repo: string): string[];
  stop(): Promise<void>;
}

/** Starts the GitHub stand-in on a loopback port. */
export async function startGitHub(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const clock = options.clock ?? systemClock;
  const state = newState(clock);
  const c = loadGitHubContract(undefined, servedOperations);
  const rec: GitHubRecorder = {
    requestLog: [],
    counts: new Map(),
    violations: [],
    faults: [],
    tokens: new Map(),
    rate: { limit: options.rateLimit ?? 5000, used: 0, resetAt: clock.now() + 3600_000 },
  };
  const issueToken = (kind: 'write' | 'read-only', actor: Actor = actionsBot): string => {
    const t = `ghs_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
    rec.tokens.set(t, { kind, actor });
    return t;
  };
  const token = issueToken('write');
  const readOnlyToken = issueToken('read-only');
  const server = await startLoopbackServer(createGitHubHandler(state, c, rec));
  state.baseUrl = server.url;

  const repoNamed = (full: string): RepoState => {
    const [owner, name] = full.split('/');
    if (!owner || !name) throw new Error(`repository must be "owner/name", got "${full}"`);
    return repoOf(state, owner, name);
  };
  const issueIn = (r: RepoState, n: number): IssueState => {
    const i = r.issues.get(n);
    if (i === undefined) throw new Error(`${r.owner}/${r.name} has no issue or PR #${n}`);
    return i;
  };

  return {
    url: server.url,
    token,
    readOnlyToken,
    createToken: (o = {}) => issueToken(o.readOnly ? 'read-only' : 'write', o.actor),
    openPullRequest(repo, o = {}) {
      const r = repoNamed(repo);
      const i = createPull(state, r, {
        title: o.title ?? `Change ${r.nextNumber}`,
        head: o.head ?? `feature-${r.nextNumber}`,
        base: o.base,
        body: o.body,
        draft: o.draft,
        labels: o.labels,
        user: o.user,
        fork: o.fork,
      });
      return render.pull(c, state, r, i);
    },
    pushCommit: (repo, n) => {
      const r = repoNamed(repo);
      const i = issueIn(r, n);
      if (i.pull === undefined) throw new Error(`#${n} is an issue, not a PR`);
      return pushToPull(state, r, i);
    },
    setCollaborator(repo, login, role) {
      repoNamed(repo).collaborators.set(login.toLowerCase(), role);
    },
    closePullRequest(repo, n, o = {}) {
      const r = repoNamed(repo);
      const i = issueIn(r, n);
      i.state = 'closed';
      i.closedAt = clock.now();
      if (o.merged && i.pull)
        Object.assign(i.pull, {
          merged: true,
          mergedAt: clock.now(),
          mergeCommitSha: state.nextSha(`merge:${n}`),
          mergedBy: actionsBot,
        });
      touch(state, i);
    },
    addLabels: (repo, n, labels) => {
      const r = repoNamed(repo);
      addLabels(state, r, issueIn(r, n), labels);
    },
    setCommitStatus(repo, sha, context, st) {
      const r = repoNamed(repo);
      const m = r.commitStatuses.get(sha) ?? new Map();
      m.set(context, st);
      r.commitStatuses.set(sha, m);
    },
    injectFault: (f) => void rec.faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void rec.faults.splice(0),
    contractViolations: () => [...rec.violations],
    assertContract() {
      const seen = rec.violations.splice(0);
      if (seen.length > 0) throw new Error(`GitHub contract violations (${seen.length}):\n- ${seen.join('\n- ')}`);
    },
    counters: () => Object.fromEntries(rec.counts),
    requestLog: () => [...rec.requestLog],
    resetCounters() {
      rec.counts.clear();
      rec.requestLog.splice(0);
    },
    comments(repo, n) {
      const r = repoNamed(repo);
      const i = r.issues.get(n);
      return i === undefined ? [] : i.comments.map((cm) => render.comment(c, state, r, i, cm));
    },
    deployments(repo) {
      const r = repoNamed(repo);
      return [...r.deployments].reverse().map((d) => ({
        ...render.deployment(c, state, r, d),
        state: deploymentState(d),
        statuses: [...d.statuses].reverse().map((s) => render.deploymentStatus(c, state, r, d, s)),
      }));
    },
    pull(repo, n) {
      const r = repoNamed(repo);
      const i = r.issues.get(n);
      return i?.pull === undefined ? undefined : render.pull(c, state, r, i);
    },
    labels: (repo, n) => [...(repoNamed(repo).issues.get(n)?.labels ?? [])],
    environments: (repo) => [...repoNamed(repo).environments.keys()],
    stop: () => server.close(),
  };
}
