/**
 * What every GitLab route shares: the route context, the caller, offset pagination with GitLab's
 * headers, the documented parameters a route accepts, typed parameter readers.
 */
import { GitLabError, forbidden, invalidParam, notFound, statusError } from './errors.js';
import type { GitLabState, GitLabUser, MergeRequestState, ProjectState, TokenKind } from './state.js';

/** Who is calling: anonymous, or a user through a kind of token. */
export interface Caller {
  user?: GitLabUser;
  kind: TokenKind | 'none';
  /** Job tokens: the job's project. */
  jobProjectId?: number;
}

export interface RouteContext {
  state: GitLabState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  caller: Caller;
  /** Resolved from `:id` (numeric id or URL-encoded path) after the visibility check. */
  project?: ProjectState;
  /** The caller's access level in `project` (0 = none, e.g. a public project read anonymously). */
  level: number;
}

/** A 2xx answer; `page` makes the handler add GitLab's offset pagination headers. */
export interface Served {
  status: number;
  body?: unknown;
  page?: { page: number; perPage: number; total: number };
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. "/projects/:id/merge_requests/:merge_request_iid" (under /api/v4). */
  template: string;
  /** The operation's name, as @gitbeaker/rest calls it, e.g. "MergeRequests.show". */
  name: string;
  /** Listed in GitLab's "Job token access" table (docs: ci/jobs/ci_job_token.md). */
  jobToken: boolean;
  /** Lowest access level the caller needs in the project (0 = anyone who can see it). */
  minLevel?: number;
  /** Query (GET/DELETE) or body (POST/PUT) parameters the docs list; others are recorded as contract violations. */
  params: string[];
  handle(ctx: RouteContext): Served;
}

/** GitLab's offset pagination: `per_page` default 20, at most 100; `page` default 1. */
export function paginate<T>(items: T[], query: URLSearchParams): { items: T[]; page: Served['page'] } {
  const perRaw = Number(query.get('per_page') ?? 20);
  const perPage = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 20;
  const pageRaw = Number(query.get('page') ?? 1);
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  return { items: items.slice((page - 1) * perPage, page * perPage), page: { page, perPage, total: items.length } };
}

/** A list answer, paginated. */
export function listed<T>(items: T[], query: URLSearchParams, render: (t: T) => unknown): Served {
  const p = paginate(items, query);
  return { status: 200, body: p.items.map(render), page: p.page };
}

/**
 * The offset pagination headers (docs: "REST API → Pagination → Pagination response headers"):
 * x-page, x-per-page, x-next-page and x-prev-page (empty when none), x-total, x-total-pages, and
 * a `Link` header with prev/next/first/last, each URL pointing back at this stand-in.
 */
export function paginationHeaders(url: URL, p: NonNullable<Served['page']>): Record<string, string> {
  const totalPages = Math.max(1, Math.ceil(p.total / p.perPage));
  const at = (n: number): string => {
    const u = new URL(url.href);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(p.perPage));
    return u.href;
  };
  const links: string[] = [];
  if (p.page > 1) links.push(`<${at(p.page - 1)}>; rel="prev"`);
  if (p.page < totalPages) links.push(`<${at(p.page + 1)}>; rel="next"`);
  links.push(`<${at(1)}>; rel="first"`, `<${at(totalPages)}>; rel="last"`);
  return {
    'x-page': String(p.page),
    'x-per-page': String(p.perPage),
    'x-next-page': p.page < totalPages ? String(p.page + 1) : '',
    'x-prev-page': p.page > 1 ? String(p.page - 1) : '',
    'x-total': String(p.total),
    'x-total-pages': String(totalPages),
    link: links.join(', '),
  };
}

export function projectOf(ctx: RouteContext): ProjectState {
  if (ctx.project === undefined) throw new Error(`route without :id used projectOf`);
  return ctx.project;
}

/** Path integers: Grape answers 400 "<name> is invalid" for a non-integer. */
export function intParam(ctx: RouteContext, name: string): number {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw invalidParam(name);
  return Number(raw);
}

export function mergeRequestOf(ctx: RouteContext): MergeRequestState {
  const mr = projectOf(ctx).mergeRequests.get(intParam(ctx, 'merge_request_iid'));
  if (mr === undefined) throw notFound('Merge Request');
  return mr;
}

/** The caller must hold at least `level` in the project; anonymous callers get 401 first. */
export function requireLevel(ctx: RouteContext, level: number): void {
  if (ctx.caller.user === undefined) throw statusError(401, 'Unauthorized');
  if (ctx.level < level) throw forbidden();
}

/** A string parameter from the body (POST/PUT) or query (GET). */
export function stringParam(ctx: RouteContext, name: string, from: 'body' | 'query' = 'body'): string | undefined {
  const v = from === 'body' ? ctx.body[name] : ctx.query.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParam(name);
  return v;
}

/** An enum query parameter; Grape's 400 "<name> does not have a valid value" otherwise. */
export function enumParam<T extends string>(ctx: RouteContext, name: string, allowed: readonly T[]): T | undefined {
  const v = ctx.query.get(name);
  if (v === null) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new GitLabError(400, { error: `${name} does not have a valid value` });
  return v as T;
}

/**
 * A label list as GitLab accepts it: a comma-separated string, or an array (JSON body, or
 * `labels[]=a&labels[]=b` in a query as qs's bracket format sends it).
 */
export function labelList(ctx: RouteContext, name: string, from: 'body' | 'query' = 'body'): string[] | undefined {
  let raw: unknown;
  if (from === 'body') raw = ctx.body[name];
  else {
    const arr = ctx.query.getAll(`${name}[]`);
    raw = arr.length > 0 ? arr : (ctx.query.get(name) ?? undefined);
  }
  if (raw === undefined || raw === null) return undefined;
  const parts = Array.isArray(raw) ? raw.flatMap((x) => String(x).split(',')) : String(raw).split(',');
  return [...new Set(parts.map((l) => l.trim()).filter((l) => l !== ''))];
}

export { GitLabError };
