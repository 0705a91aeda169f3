/**
 * What every GitHub route shares: the route context, pagination, typed path parameters.
 */
import type { GitHubContract, GitHubOperation } from './contract.js';
import { GitHubError, notFound, validationFailed } from './errors.js';
import type { Actor, GitHubState, IssueState, RepoState } from './state.js';

/** What a route handler sees: the repository (created on first use), path params, query, body, caller. */
export interface RouteContext {
  state: GitHubState;
  c: GitHubContract;
  repo: RepoState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  actor: Actor;
}

/** A 2xx answer; `page` makes the handler add GitHub's `Link` header. */
export interface Served {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  page?: { page: number; last: number };
}

export interface Route extends GitHubOperation {
  handle(ctx: RouteContext): Served;
}

/** `per_page` (default 30, capped at 100 like GitHub) and `page` (default 1). */
export function paginate<T>(items: T[], query: URLSearchParams): { items: T[]; page: { page: number; last: number } } {
  const perRaw = Number(query.get('per_page') ?? 30);
  const perPage = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 30;
  const pageRaw = Number(query.get('page') ?? 1);
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  return { items: items.slice((page - 1) * perPage, page * perPage), page: { page, last } };
}

/** A list answer, paginated. */
export function listed<T>(items: T[], query: URLSearchParams, render: (t: T) => unknown): Served {
  const p = paginate(items, query);
  return { status: 200, body: p.items.map(render), page: p.page };
}

/** Path integers: GitHub answers 404 for a non-numeric id. */
export function intParam(ctx: RouteContext, name: string): number {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw notFound();
  return Number(raw);
}

export function issueOf(ctx: RouteContext, name = 'issue_number'): IssueState {
  const issue = ctx.repo.issues.get(intParam(ctx, name));
  if (issue === undefined) throw notFound();
  return issue;
}

export function pullOf(ctx: RouteContext): IssueState {
  const issue = ctx.repo.issues.get(intParam(ctx, 'pull_number'));
  if (issue?.pull === undefined) throw notFound();
  return issue;
}

/** A required string field of the body, or GitHub's 422 `missing_field`. */
export function requiredString(ctx: RouteContext, resource: string, field: string): string {
  const v = ctx.body?.[field];
  if (v === undefined || v === null) throw validationFailed({ resource, code: 'missing_field', field });
  if (typeof v !== 'string') throw validationFailed({ resource, code: 'invalid', field });
  return v;
}

/** Sorted by `sort` then `direction` (GitHub's default is desc for created, else asc... per endpoint). */
export function byDirection<T>(items: T[], key: (t: T) => number, direction: string): T[] {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return direction === 'asc' ? sorted : sorted.reverse();
}

export { GitHubError };
