/**
 * GitHub's issue comments and labels (a PR is an issue) as the stand-in serves them.
 */
import { GitHubError, notFound, validationFailed } from './errors.js';
import { comment, issue, label } from './render.js';
import { byDirection, intParam, issueOf, listed, type Route, type RouteContext } from './route-kit.js';
import {
  labelOf,
  touch,
  type Actor,
  type CommentState,
  type GitHubState,
  type IssueState,
  type RepoState,
} from './state.js';

/** GitHub's ceiling for issue and comment bodies. */
export const MAX_BODY = 65536;

function validBody(b: unknown): string {
  if (b === undefined || b === null)
    throw validationFailed({ resource: 'IssueComment', code: 'missing_field', field: 'body' });
  if (typeof b !== 'string') throw validationFailed({ resource: 'IssueComment', code: 'invalid', field: 'body' });
  if (b.trim() === '')
    throw validationFailed({
      resource: 'IssueComment',
      code: 'unprocessable',
      field: 'data',
      message: 'Body cannot be blank',
    });
  if (b.length > MAX_BODY)
    throw validationFailed({
      resource: 'IssueComment',
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${MAX_BODY} characters)`,
    });
  return b;
}

/** Adds a comment (validated like GitHub) and bumps the issue's `updated_at`. */
export function addComment(state: GitHubState, i: IssueState, body: unknown, user: Actor): CommentState {
  const now = state.clock.now();
  const cm: CommentState = {
    id: state.nextId(),
    issueNumber: i.number,
    body: validBody(body),
    user,
    createdAt: now,
    updatedAt: now,
  };
  i.comments.push(cm);
  touch(state, i);
  return cm;
}

/** Adds labels (created on first use, as GitHub does for a writer), keeps order, no duplicates. */
export function addLabels(state: GitHubState, repo: RepoState, i: IssueState, names: string[]): void {
  for (const n of names) {
    const l = labelOf(state, repo, n);
    if (!i.labels.some((x) => x.toLowerCase() === l.name.toLowerCase())) i.labels.push(l.name);
  }
  touch(state, i);
}

function findComment(ctx: RouteContext): { i: IssueState; cm: CommentState } {
  const id = intParam(ctx, 'comment_id');
  for (const i of ctx.repo.issues.values()) {
    const cm = i.comments.find((x) => x.id === id);
    if (cm !== undefined) return { i, cm };
  }
  throw notFound();
}

/** `labels` body: `{ labels: [...] }`, a bare array, or `{ labels: [{ name }] }`. */
function labelNames(body: unknown): string[] {
  const raw = Array.isArray(body) ? body : (body as { labels?: unknown })?.labels;
  if (!Array.isArray(raw)) throw validationFailed({ resource: 'Label', code: 'missing_field', field: 'labels' });
  return raw.map((x) => {
    const n = typeof x === 'string' ? x : (x as { name?: unknown })?.name;
    if (typeof n !== 'string' || n.trim() === '')
      throw validationFailed({ resource: 'Label', code: 'invalid', field: 'name' });
    return n;
  });
}

export const issueRoutes: Route[] = [
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues',
    handle: ({ c, state, repo, query }) => {
      const st = query.get('state') ?? 'open';
      const wanted = (query.get('labels') ?? '')
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean);
      const items = [...repo.issues.values()].filter(
        (i) => (st === 'all' || i.state === st) && wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)),
      );
      const sort = query.get('sort') ?? 'created';
      const key =
        sort === 'updated'
          ? (i: IssueState) => i.updatedAt * 1e6 + i.number
          : sort === 'comments'
            ? (i: IssueState) => i.comments.length * 1e6 + i.number
            : (i: IssueState) => i.createdAt * 1e6 + i.number;
      return listed(byDirection(items, key, query.get('direction') ?? 'desc'), query, (i) => issue(c, state, repo, i));
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: (ctx) => ({ status: 200, body: issue(ctx.c, ctx.state, ctx.repo, issueOf(ctx)) }),
  },
  {
    method: 'patch',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: (ctx) => {
      const i = issueOf(ctx);
      const b = ctx.body ?? {};
      if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed')
        throw validationFailed({ resource: 'Issue', field: 'state', code: 'invalid' });
      if (typeof b.title === 'string') i.title = b.title;
      if (b.body !== undefined) i.body = b.body;
      if (Array.isArray(b.labels)) {
        i.labels = [];
        addLabels(ctx.state, ctx.repo, i, labelNames({ labels: b.labels }));
      }
      if (b.state === 'closed' && i.state === 'open') {
        i.state = 'closed';
        i.closedAt = ctx.state.clock.now();
      } else if (b.state === 'open' && i.state === 'closed' && !i.pull?.merged) {
        i.state = 'open';
        delete i.closedAt;
      }
      touch(ctx.state, i);
      return { status: 200, body: issue(ctx.c, ctx.state, ctx.repo, i) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: (ctx) => {
      const i = issueOf(ctx);
      const since = ctx.query.get('since');
      const from = since === null ? Number.NEGATIVE_INFINITY : Date.parse(since);
      return listed(
        i.comments.filter((cm) => cm.updatedAt >= from),
        ctx.query,
        (cm) => comment(ctx.c, ctx.state, ctx.repo, i, cm),
      );
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: (ctx) => {
      const i = issueOf(ctx);
      const cm = addComment(ctx.state, i, ctx.body?.body, ctx.actor);
      return {
        status: 201,
        body: comment(ctx.c, ctx.state, ctx.repo, i, cm),
        headers: { location: `${ctx.state.baseUrl}/repos/${ctx.repo.owner}/${ctx.repo.name}/issues/comments/${cm.id}` },
      };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle: (ctx) => {
      const { i, cm } = findComment(ctx);
      return { status: 200, body: comment(ctx.c, ctx.state, ctx.repo, i, cm) };
    },
  },
  {
    method: 'patch',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle: (ctx) => {
      const { i, cm } = findComment(ctx);
      cm.body = validBody(ctx.body?.body);
      cm.updatedAt = Math.max(ctx.state.clock.now(), cm.updatedAt);
      touch(ctx.state, i);
      return { status: 200, body: comment(ctx.c, ctx.state, ctx.repo, i, cm) };
    },
  },
  {
    method: 'delete',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle: (ctx) => {
      const { i, cm } = findComment(ctx);
      i.comments.splice(i.comments.indexOf(cm), 1);
      touch(ctx.state, i);
      return { status: 204 };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: (ctx) => {
      const i = issueOf(ctx);
      return listed(i.labels, ctx.query, (n) => label(ctx.c, ctx.state, ctx.repo, labelOf(ctx.state, ctx.repo, n)));
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: (ctx) => {
      const i = issueOf(ctx);
      addLabels(ctx.state, ctx.repo, i, labelNames(ctx.body));
      return {
        status: 200,
        body: i.labels.map((n) => label(ctx.c, ctx.state, ctx.repo, labelOf(ctx.state, ctx.repo, n))),
      };
    },
  },
  {
    method: 'delete',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handle: (ctx) => {
      const i = issueOf(ctx);
      const at = i.labels.findIndex((l) => l.toLowerCase() === (ctx.params.name ?? '').toLowerCase());
      // GitHub: 404 "Label does not exist" when the issue does not carry it.
      if (at < 0) throw new GitHubError(404, 'Label does not exist');
      i.labels.splice(at, 1);
      touch(ctx.state, i);
      return {
        status: 200,
        body: i.labels.map((n) => label(ctx.c, ctx.state, ctx.repo, labelOf(ctx.state, ctx.repo, n))),
      };
    },
  },
];
