/**
 * GitHub's pull requests: opening, pushing to, reading and listing them.
 */
import { GitHubError, validationFailed } from './errors.js';
import { pull, repository, user } from './render.js';
import { byDirection, listed, pullOf, requiredString, type Route } from './route-kit.js';
import {
  branchSha,
  labelOf,
  repoOf,
  touch,
  type Actor,
  type GitHubState,
  type IssueState,
  type RepoState,
} from './state.js';

/**
 * `GET /repos/{owner}/{repo}/collaborators/{username}/permission`: GitHub folds maintain into
 * `permission: write` and triage into `read` (role_name keeps the precise role); a stranger is read.
 */
export const permissionRoute: Route = {
  method: 'get',
  template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
  handle: ({ repo, params }) => {
    const role = repo.collaborators.get(params.username!.toLowerCase()) ?? 'read';
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    return { status: 200, body: { permission, role_name: role, user: null } };
  },
};

export interface NewPull {
  title: string;
  head: string;
  base?: string;
  body?: string | null;
  draft?: boolean;
  labels?: string[];
  user?: Actor;
  /** "owner/name" of a fork holding the head branch (a fork PR). */
  fork?: string;
}

/** Opens a PR: head/base branches come into being on demand; 422 like GitHub for a duplicate or empty PR. */
export function createPull(state: GitHubState, repo: RepoState, p: NewPull): IssueState {
  const headOwner = p.head.includes(':') ? p.head.slice(0, p.head.indexOf(':')) : undefined;
  const head = headOwner === undefined ? p.head : p.head.slice(headOwner.length + 1);
  const fork =
    p.fork ??
    (headOwner !== undefined && headOwner.toLowerCase() !== repo.owner.toLowerCase()
      ? `${headOwner}/${repo.name}`
      : undefined);
  const base = p.base ?? repo.defaultBranch;
  if (head === base && fork === undefined)
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `No commits between ${base} and ${head}`,
    });
  const dup = [...repo.issues.values()].find(
    (i) => i.state === 'open' && i.pull?.headRef === head && i.pull.headRepo === fork && i.pull.baseRef === base,
  );
  if (dup !== undefined)
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `A pull request already exists for ${repo.owner}:${head}.`,
    });
  const now = state.clock.now();
  const issue: IssueState = {
    number: repo.nextNumber++,
    id: state.nextId(),
    title: p.title,
    body: p.body ?? null,
    user: p.user ?? { login: 'octocat', id: 583231, type: 'User' },
    state: 'open',
    labels: [],
    createdAt: now,
    updatedAt: now,
    comments: [],
    pull: {
      headRef: head,
      ...(fork === undefined ? {} : { headRepo: fork }),
      headSha: branchSha(state, headRepoOf(state, repo, fork), head),
      baseRef: base,
      baseSha: branchSha(state, repo, base),
      draft: p.draft ?? false,
      merged: false,
    },
  };
  for (const l of p.labels ?? []) issue.labels.push(labelOf(state, repo, l).name);
  repo.issues.set(issue.number, issue);
  return issue;
}

/** The repository the head branch lives in (the fork for a fork PR). */
function headRepoOf(state: GitHubState, repo: RepoState, fork: string | undefined): RepoState {
  if (fork === undefined) return repo;
  const [owner, name] = fork.split('/') as [string, string];
  return repoOf(state, owner, name);
}

/** A push to the PR's head branch: a new head SHA, and `updated_at` bumps. */
export function pushToPull(state: GitHubState, repo: RepoState, issue: IssueState): string {
  const sha = state.nextSha(`${repo.owner}/${repo.name}:${issue.pull!.headRef}`);
  issue.pull!.headSha = sha;
  headRepoOf(state, repo, issue.pull!.headRepo).branches.set(issue.pull!.headRef, sha);
  touch(state, issue);
  return sha;
}

export const pullRoutes: Route[] = [
  {
    method: 'get',
    template: '/repos/{owner}/{repo}',
    handle: ({ c, state, repo }) => ({ status: 200, body: repository(c, state, repo, 'full-repository') }),
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/pulls',
    handle: (ctx) => {
      const title = requiredString(ctx, 'PullRequest', 'title');
      const head = requiredString(ctx, 'PullRequest', 'head');
      const base = requiredString(ctx, 'PullRequest', 'base');
      const issue = createPull(ctx.state, ctx.repo, {
        title,
        head,
        base,
        body: ctx.body.body,
        draft: ctx.body.draft,
        user: ctx.actor,
      });
      return { status: 201, body: pull(ctx.c, ctx.state, ctx.repo, issue) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/pulls',
    handle: ({ c, state, repo, query }) => {
      const st = query.get('state') ?? 'open';
      if (!['open', 'closed', 'all'].includes(st))
        throw validationFailed({ resource: 'PullRequest', field: 'state', code: 'invalid' });
      const head = query.get('head');
      const base = query.get('base');
      const sort = query.get('sort') ?? 'created';
      let items = [...repo.issues.values()].filter((i) => i.pull !== undefined && (st === 'all' || i.state === st));
      if (head !== null)
        items = items.filter((i) => `${repo.owner}:${i.pull!.headRef}` === head || i.pull!.headRef === head);
      if (base !== null) items = items.filter((i) => i.pull!.baseRef === base);
      const key =
        sort === 'updated'
          ? (i: IssueState) => i.updatedAt * 1e6 + i.number
          : (i: IssueState) => i.createdAt * 1e6 + i.number;
      const direction = query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
      return listed(byDirection(items, key, direction), query, (i) => pull(c, state, repo, i, 'pull-request-simple'));
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: (ctx) => ({ status: 200, body: pull(ctx.c, ctx.state, ctx.repo, pullOf(ctx)) }),
  },
  {
    method: 'patch',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: (ctx) => {
      const issue = pullOf(ctx);
      const b = ctx.body ?? {};
      if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed')
        throw validationFailed({ resource: 'PullRequest', field: 'state', code: 'invalid' });
      if (typeof b.title === 'string') issue.title = b.title;
      if (b.body !== undefined) issue.body = b.body;
      if (typeof b.base === 'string')
        Object.assign(issue.pull!, { baseRef: b.base, baseSha: branchSha(ctx.state, ctx.repo, b.base) });
      if (b.state === 'closed' && issue.state === 'open') {
        issue.state = 'closed';
        issue.closedAt = ctx.state.clock.now();
      } else if (b.state === 'open' && issue.state === 'closed') {
        if (issue.pull!.merged)
          throw validationFailed({
            resource: 'PullRequest',
            code: 'custom',
            field: 'state',
            message: 'state cannot be changed. The pull request cannot be reopened because it has been merged.',
          });
        issue.state = 'open';
        delete issue.closedAt;
      }
      touch(ctx.state, issue);
      return { status: 200, body: pull(ctx.c, ctx.state, ctx.repo, issue) };
    },
  },
  {
    method: 'put',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    handle: (ctx) => {
      const issue = pullOf(ctx);
      const p = issue.pull!;
      if (issue.state !== 'open') throw new GitHubError(405, 'Pull Request is not mergeable');
      if (typeof ctx.body?.sha === 'string' && ctx.body.sha !== p.headSha)
        throw new GitHubError(409, 'Head branch was modified. Review and try the merge again.');
      const now = ctx.state.clock.now();
      const sha = ctx.state.nextSha(`${ctx.repo.owner}/${ctx.repo.name}:merge:${issue.number}`);
      Object.assign(p, { merged: true, mergedAt: now, mergeCommitSha: sha, mergedBy: ctx.actor });
      ctx.repo.branches.set(p.baseRef, sha);
      issue.state = 'closed';
      issue.closedAt = now;
      touch(ctx.state, issue);
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    handle: (ctx) => {
      const st = requiredString(ctx, 'Status', 'state');
      if (!['error', 'failure', 'pending', 'success'].includes(st))
        throw validationFailed({ resource: 'Status', field: 'state', code: 'invalid' });
      const context = typeof ctx.body.context === 'string' ? ctx.body.context : 'default';
      const sha = ctx.params.sha!;
      const m = ctx.repo.commitStatuses.get(sha) ?? new Map();
      m.set(context, st as 'success');
      ctx.repo.commitStatuses.set(sha, m);
      return { status: 201, body: commitStatusBody(ctx, sha, context, st) };
    },
  },
];

function commitStatusBody(
  ctx: Parameters<Route['handle']>[0],
  sha: string,
  context: string,
  st: string,
): Record<string, unknown> {
  const id = ctx.state.nextId();
  const now = new Date(ctx.state.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    url: `${ctx.state.baseUrl}/repos/${ctx.repo.owner}/${ctx.repo.name}/statuses/${sha}`,
    avatar_url: null,
    id,
    node_id: `SC_${id}`,
    state: st,
    description: ctx.body.description ?? null,
    target_url: ctx.body.target_url ?? null,
    context,
    created_at: now,
    updated_at: now,
    creator: user(ctx.c, ctx.actor),
  };
}
