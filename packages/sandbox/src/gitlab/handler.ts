/**
 * The GitLab stand-in's HTTP handler: tokens (PRIVATE-TOKEN, Bearer, JOB-TOKEN), injected faults,
 * the authenticated-API rate limit, routing under /api/v4, project visibility and access levels,
 * pagination headers, the request log, counters and contract records.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/server.js';
import { GitLabError, invalidToken, projectNotFound, statusError, unauthorized } from './errors.js';
import { paginationHeaders, type Caller, type Route, type RouteContext } from './route-kit.js';
import { environmentRoutes } from './routes-environments.js';
import { mergeRequestRoutes } from './routes-merge-requests.js';
import { pathWithNamespace, type GitLabState, type ProjectState } from './state.js';
import { faultMatches } from '../http/fault-match.js';

/** A fault armed by `injectFault`; it applies after authentication, before routing. */
export interface GitLabFault {
  /** Only this HTTP method (any case); any when absent. */
  method?: string;
  /** Tested against the request's raw pathname (a string matches as a substring), e.g. "/merge_requests". */
  pathPattern: RegExp | string;
  /** Query parameters the request must carry, e.g. `{ page: '2' }` for one page of a list. */
  query?: Record<string, string | RegExp>;
  /** Matching requests let through before the fault starts hitting (default 0). */
  skip?: number;
  /** How many requests it hits (default: unlimited). */
  times?: number;
  /** Without a status the fault only adds latency. 429 answers as Rack::Attack does (Retry-After, RateLimit-*). */
  status?: 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503;
  /** Seconds for Retry-After / RateLimit-Reset on a 429 (default 60). */
  retryAfter?: number;
  /** Waited on the stand-in's clock before answering. */
  latencyMs?: number;
  /**
   * Serve the request (a write lands) and then reset the connection instead of answering: the
   * client never learns that its note or environment was created.
   */
  dropReply?: boolean;
}

export interface GitLabRequestRecord {
  method: string;
  /** Path and query as received. */
  path: string;
  status: number;
  /** The operation (e.g. "MergeRequestNotes.create"), or "<METHOD> <status>" when unrouted. */
  operation: string;
  token: 'personal' | 'project' | 'job' | 'none' | 'unknown';
  /** Username of the caller, when authenticated. */
  user?: string;
  /** The request was served but its reply dropped (a `dropReply` fault). */
  dropped?: boolean;
}

export interface GitLabRecorder {
  requestLog: GitLabRequestRecord[];
  counts: Map<string, number>;
  violations: string[];
  faults: Array<GitLabFault & { remaining: number; skipped?: number }>;
  /** Authenticated API requests per user per minute before 429 (Rack::Attack's throttle_authenticated_api). */
  rate: { limit: number; windows: Map<number, { start: number; used: number }> };
}

const routes: Array<Route & { regex: RegExp; names: string[] }> = [...mergeRequestRoutes, ...environmentRoutes].map(
  (r) => {
    const names: string[] = [];
    const pattern = r.template.replace(/:(\w+)/g, (_m, n: string) => (names.push(n), '([^/]+)'));
    return { ...r, regex: new RegExp(`^/api/v4${pattern}$`), names };
  },
);

/** The operations this stand-in serves, for docs and tests. */
export const servedOperations = routes.map((r) => `${r.method} ${r.template} (${r.name})`);

function match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.regex.exec(pathname);
    if (m === null) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, k) => (params[n] = decodeURIComponent(m[k + 1]!)));
    return { route: r, params };
  }
  return undefined;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Resolves the caller; a job token counts only on routes GitLab allows it on (else the request is anonymous). */
function callerOf(state: GitLabState, req: IncomingMessage, route: Route | undefined): Caller & { presented?: string } {
  const bearer = /^bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  const privateToken = header(req, 'private-token') ?? bearer;
  const jobToken = header(req, 'job-token');
  const presented = privateToken ?? jobToken;
  if (presented === undefined) return { kind: 'none' };
  const rec = state.tokens.get(presented);
  if (rec === undefined || (jobToken !== undefined && privateToken === undefined && rec.kind !== 'job'))
    throw unauthorized();
  if (rec.revoked) throw invalidToken('Token was revoked. You have to re-authorize from the user.');
  if (rec.expiresAt !== undefined && state.clock.now() >= rec.expiresAt)
    throw invalidToken('Token is expired. You can either do re-authorization or token refresh.');
  if (rec.kind === 'job' && route !== undefined && !route.jobToken) return { kind: 'none', presented: 'job' };
  return { user: rec.user, kind: rec.kind, jobProjectId: rec.kind === 'job' ? rec.projectId : undefined };
}

function findProject(state: GitLabState, idOrPath: string): ProjectState | undefined {
  if (/^\d+$/.test(idOrPath)) return state.projects.get(Number(idOrPath));
  const want = idOrPath.toLowerCase();
  return [...state.projects.values()].find((p) => pathWithNamespace(p).toLowerCase() === want);
}

/** The project if the caller may see it, and the caller's access level there; GitLab's 404 otherwise. */
function visibleProject(
  state: GitLabState,
  caller: Caller,
  idOrPath: string,
): { project: ProjectState; level: number } {
  const project = findProject(state, idOrPath);
  if (project === undefined) throw projectNotFound();
  if (
    caller.kind === 'job' &&
    caller.jobProjectId !== project.id &&
    !project.jobTokenAllowlist.has(caller.jobProjectId!)
  )
    throw projectNotFound();
  const level = caller.user === undefined ? 0 : (project.members.get(caller.user.id) ?? 0);
  if (level === 0 && project.visibility !== 'public') throw projectNotFound();
  return { project, level };
}

function rackAttack429(state: GitLabState, limit: number, observed: number, retryAfter: number): GitLabError {
  const resetMs = state.clock.now() + retryAfter * 1000;
  return new GitLabError(429, 'Retry later\n', {
    'ratelimit-name': 'throttle_authenticated_api',
    'ratelimit-limit': String(limit),
    'ratelimit-observed': String(observed),
    'ratelimit-remaining': '0',
    'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    'ratelimit-resettime': new Date(resetMs).toUTCString(),
    'retry-after': String(retryAfter),
  });
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw.trim() === '') return {};
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
    return out;
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw statusError(400, 'Bad request - The provided content-type is not supported or the body is not valid JSON');
}

/** The HTTP handler; `extra` serves non-API paths (the OIDC discovery and keys). */
export function createGitLabHandler(
  state: GitLabState,
  rec: GitLabRecorder,
  extra: (method: string, pathname: string) => unknown = () => undefined,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', state.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = match(method, url.pathname);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-cache' };
    let status: number;
    let payload: unknown;
    let kind: GitLabRequestRecord['token'] = 'none';
    let username: string | undefined;
    let dropReply = false;
    try {
      const raw = (await readBody(req)).toString('utf8');
      const extraAnswer = url.pathname.startsWith('/api/') ? undefined : extra(method, url.pathname);
      if (extraAnswer !== undefined) {
        status = 200;
        payload = extraAnswer;
      } else {
        const caller = callerOf(state, req, matched?.route);
        kind = caller.presented === 'job' ? 'job' : caller.kind;
        username = caller.user?.username;
        if (caller.user !== undefined) {
          const now = state.clock.now();
          const w = rec.rate.windows.get(caller.user.id);
          const win = w === undefined || now - w.start >= 60_000 ? { start: now, used: 0 } : w;
          win.used++;
          rec.rate.windows.set(caller.user.id, win);
          if (win.used > rec.rate.limit)
            throw rackAttack429(state, rec.rate.limit, win.used, Math.ceil((win.start + 60_000 - now) / 1000));
        }
        for (const f of rec.faults) {
          if (!faultMatches(f, method, url)) continue;
          f.remaining--;
          if (f.latencyMs !== undefined) await state.clock.sleep(f.latencyMs);
          if (f.status === 429) throw rackAttack429(state, rec.rate.limit, rec.rate.limit + 1, f.retryAfter ?? 60);
          if (f.status !== undefined) throw faultError(f.status);
          dropReply = f.dropReply === true;
          break;
        }
        if (matched === undefined) throw new GitLabError(404, { error: '404 Not Found' });
        const body = parseBody(raw, header(req, 'content-type'));
        const documented = new Set(matched.route.params);
        const given = method === 'GET' || method === 'DELETE' ? [...url.searchParams.keys()] : Object.keys(body);
        for (const k of new Set(given.map((g) => g.replace(/\[\]$/, ''))))
          if (!documented.has(k))
            rec.violations.push(
              `${matched.route.name}: parameter "${k}" is not documented [${method} ${url.pathname}]`,
            );
        const ctx: RouteContext = { state, params: matched.params, query: url.searchParams, body, caller, level: 0 };
        if (matched.params.id !== undefined) {
          if (caller.user === undefined && method !== 'GET') throw unauthorized();
          Object.assign(ctx, visibleProject(state, caller, matched.params.id));
        }
        if (matched.route.minLevel !== undefined) {
          if (caller.user === undefined) throw unauthorized();
          if (ctx.level < matched.route.minLevel) throw statusError(403, 'Forbidden');
        }
        const served = matched.route.handle(ctx);
        status = served.status;
        payload = served.body;
        if (served.page !== undefined) Object.assign(headers, paginationHeaders(url, served.page));
      }
    } catch (caught) {
      const err =
        caught instanceof GitLabError
          ? caught
          : new GitLabError(500, {
              message: `500 GitLab stand-in error: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`,
            });
      if (!(caught instanceof GitLabError))
        rec.violations.push(`${JSON.stringify(err.body)} [${method} ${url.pathname}]`);
      status = err.status;
      payload = err.body;
      Object.assign(headers, err.headers);
      if (typeof payload === 'string') headers['content-type'] = 'text/plain';
    }
    const operation = matched?.route.name ?? `${method} ${status}`;
    rec.counts.set(operation, (rec.counts.get(operation) ?? 0) + 1);
    rec.requestLog.push({
      method,
      path: `${url.pathname}${url.search}`,
      status,
      operation,
      token: kind,
      user: username,
      ...(dropReply ? { dropped: true } : {}),
    });
    if (matched === undefined && status === 404 && url.pathname.startsWith('/api/'))
      rec.violations.push(`${method} ${url.pathname}: not served by the GitLab stand-in`);
    if (dropReply) {
      res.socket?.destroy();
      return;
    }
    if (payload === undefined) delete headers['content-type'];
    res.writeHead(status, headers);
    res.end(payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload));
  };
}

function faultError(status: number): GitLabError {
  const usual: Record<number, string> = {
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
  };
  return statusError(status, usual[status] ?? 'Error');
}
