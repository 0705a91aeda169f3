/**
 * The GitHub stand-in's HTTP handler: auth, injected faults, rate-limit headers, routing,
 * pagination links, the request log and the contract check; unrouted requests are 404 and recorded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody } from '../http/server.js';
import type { GitHubContract, GitHubOperation } from './contract.js';
import {
  GitHubError,
  badCredentials,
  notAccessible,
  notFound,
  problemsParsingJson,
  requiresAuthentication,
} from './errors.js';
import type { Route, Served } from './route-kit.js';
import { deploymentRoutes } from './routes-deployments.js';
import { issueRoutes } from './routes-issues.js';
import { permissionRoute, pullRoutes } from './routes-pulls.js';
import { repoOf, type Actor, type GitHubState } from './state.js';
import { faultMatches } from '../http/fault-match.js';

/** A fault armed by `injectFault`. */
export interface GitHubFault {
  /** Only this HTTP method (any case); any when absent. */
  method?: string;
  /** Tested against the request's pathname (a string matches as a substring). */
  pathPattern: RegExp | string;
  /**
   * Query parameters the request must carry, each equal to the string or matching the RegExp,
   * e.g. `{ page: /^[2-9]|\d\d/ }` for "any page after the first" of a list.
   */
  query?: Record<string, string | RegExp>;
  /** Matching requests let through before the fault starts hitting (default 0). */
  skip?: number;
  /**
   * Without a status the fault only adds latency. 404/409/410 answer GitHub's plain error body
   * (a 409 is what a list answers while the repository is being changed under it).
   */
  status?: 403 | 404 | 409 | 410 | 429 | 500 | 502 | 503;
  /** The error body's `message` (default: GitHub's usual text for the status). */
  message?: string;
  /** How many requests it hits (default: unlimited). */
  times?: number;
  /** Seconds, sent as `retry-after` (secondary) or used for `x-ratelimit-reset` (primary). */
  retryAfter?: number;
  /** Waited on the stand-in's clock before answering. */
  latencyMs?: number;
  /** 403/429 as GitHub's secondary rate limit ("You have exceeded a secondary rate limit"); else a primary limit. */
  secondary?: boolean;
  /**
   * Resets the connection instead of answering (after `latencyMs`): the client sees ECONNRESET and
   * no status, as when a load balancer in front of api.github.com drops the request. Nothing is served.
   */
  reset?: boolean;
}

export type TokenKind = 'write' | 'read-only' | 'none' | 'unknown';

export interface GitHubRequestRecord {
  method: string;
  /** Path and query as received. */
  path: string;
  /** 0 when an injected `reset` fault cut the connection instead of answering. */
  status: number;
  /** OpenAPI operationId, "<METHOD> <status>" when unrouted, "connection reset" for a `reset` fault. */
  operationId: string;
  token: TokenKind;
}

export interface GitHubRecorder {
  requestLog: GitHubRequestRecord[];
  counts: Map<string, number>;
  violations: string[];
  faults: Array<GitHubFault & { remaining: number; skipped?: number }>;
  tokens: Map<string, { kind: 'write' | 'read-only'; actor: Actor }>;
  rate: { limit: number; used: number; resetAt: number };
}

const routes: Array<Route & { regex: RegExp; names: string[] }> = [
  ...pullRoutes,
  permissionRoute,
  ...issueRoutes,
  ...deploymentRoutes,
].map((r) => {
  const names: string[] = [];
  const regex = new RegExp(`^${r.template.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  return { ...r, regex, names };
});

/** The operations this stand-in serves (what the contract is trimmed to). */
export const servedOperations: GitHubOperation[] = routes.map((r) => ({ template: r.template, method: r.method }));

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

/** The documented operation an unrouted request would have been, so the log says what is missing. */
let specMatchers: Array<{ op: GitHubOperation; regex: RegExp }> | undefined;
function documentedOperation(c: GitHubContract, method: string, pathname: string): GitHubOperation | undefined {
  specMatchers ??= Object.entries(c.doc.paths as Record<string, Record<string, unknown>>).flatMap(([template, ops]) =>
    Object.keys(ops).map((m) => ({
      op: { template, method: m as GitHubOperation['method'] },
      regex: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
    })),
  );
  return specMatchers.find((s) => s.op.method === method && s.regex.test(pathname))?.op;
}

function tokenOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(h ?? '');
  return m?.[1];
}

function faultAnswer(f: GitHubFault, rec: GitHubRecorder, state: GitHubState): GitHubError {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  if (f.status === 403 || f.status === 429) {
    if (f.secondary) {
      return new GitHubError(
        f.status,
        `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
        {},
        f.retryAfter === undefined ? {} : { 'retry-after': String(f.retryAfter) },
      );
    }
    const reset = Math.ceil(state.clock.now() / 1000) + (f.retryAfter ?? 60);
    return new GitHubError(
      f.status,
      `API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
      {},
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': String(rec.rate.limit), 'x-ratelimit-reset': String(reset) },
    );
  }
  const usual: Record<number, string> = { 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 503: 'Service Unavailable' };
  return new GitHubError(f.status!, f.message ?? usual[f.status!] ?? 'Server Error');
}

/** The HTTP handler: auth, faults, rate-limit headers, routing, pagination links, log, counters, contract check. */
export function createGitHubHandler(
  state: GitHubState,
  c: GitHubContract,
  rec: GitHubRecorder,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', state.baseUrl);
    const method = (req.method ?? 'GET').toLowerCase();
    const matched = match(method, url.pathname);
    const op: GitHubOperation | undefined = matched?.route ?? documentedOperation(c, method, url.pathname);
    const token = tokenOf(req);
    const known = token === undefined ? undefined : rec.tokens.get(token);
    const kind: TokenKind = token === undefined ? 'none' : (known?.kind ?? 'unknown');
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    };
    let requestBody: unknown;
    let status: number;
    let payload: unknown;
    try {
      const raw = (await readBody(req)).toString('utf8');
      if (raw.trim() !== '') {
        try {
          requestBody = JSON.parse(raw) as unknown;
        } catch {
          throw problemsParsingJson();
        }
      }
      if (token === undefined) throw requiresAuthentication();
      if (known === undefined) throw badCredentials();
      const now = state.clock.now();
      if (now >= rec.rate.resetAt) Object.assign(rec.rate, { used: 0, resetAt: now + 3600_000 });
      rec.rate.used++;
      Object.assign(headers, {
        'x-ratelimit-limit': String(rec.rate.limit),
        'x-ratelimit-remaining': String(Math.max(0, rec.rate.limit - rec.rate.used)),
        'x-ratelimit-used': String(rec.rate.used),
        'x-ratelimit-reset': String(Math.ceil(rec.rate.resetAt / 1000)),
        'x-ratelimit-resource': 'core',
      });
      for (const f of rec.faults) {
        if (!faultMatches(f, method, url)) continue;
        f.remaining--;
        if (f.latencyMs !== undefined) await state.clock.sleep(f.latencyMs);
        if (f.reset) {
          rec.requestLog.push({
            method: req.method ?? 'GET',
            path: `${url.pathname}${url.search}`,
            status: 0,
            operationId: 'connection reset',
            token: kind,
          });
          req.socket.resetAndDestroy();
          return;
        }
        if (f.status !== undefined) throw faultAnswer(f, rec, state);
        break;
      }
      if (rec.rate.used > rec.rate.limit)
        throw faultAnswer(
          { pathPattern: '', status: 403, retryAfter: Math.ceil((rec.rate.resetAt - now) / 1000) },
          rec,
          state,
        );
      if (matched === undefined) throw notFound();
      if (method !== 'get' && known.kind === 'read-only') throw notAccessible();
      const { owner, repo } = matched.params as { owner: string; repo: string };
      const served: Served = matched.route.handle({
        state,
        c,
        repo: repoOf(state, owner, repo),
        params: matched.params,
        query: url.searchParams,
        body: requestBody ?? {},
        actor: known.actor,
      });
      status = served.status;
      payload = served.body;
      Object.assign(headers, served.headers);
      if (served.page !== undefined) {
        const link = linkHeader(url, served.page);
        if (link !== '') headers.link = link;
      }
    } catch (caught) {
      // A bug in the stand-in answers 500 and fails the test through the contract record.
      const err =
        caught instanceof GitHubError
          ? caught
          : new GitHubError(
              500,
              `GitHub stand-in error: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`,
            );
      if (!(caught instanceof GitHubError))
        rec.violations.push(`${err.message} [${req.method} ${url.pathname}${url.search}]`);
      status = err.status;
      payload = {
        message: err.message,
        ...err.extra,
        documentation_url: op === undefined ? 'https://docs.github.com/rest' : c.docsUrl(op),
        status: String(err.status),
      };
      Object.assign(headers, err.headers);
    }
    const operationId = op === undefined ? `${req.method} ${status}` : c.operationId(op);
    rec.counts.set(operationId, (rec.counts.get(operationId) ?? 0) + 1);
    rec.requestLog.push({
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      status,
      operationId,
      token: kind,
    });
    if (op !== undefined && matched === undefined)
      rec.violations.push(`${method.toUpperCase()} ${op.template} (${operationId}): not served by the GitHub stand-in`);
    if (matched !== undefined) {
      const problems = c.check({
        op: matched.route,
        query: url.searchParams,
        requestBody,
        status,
        responseBody: payload,
      });
      rec.violations.push(...problems.map((p) => `${p} [${req.method} ${url.pathname}${url.search}]`));
    }
    if (payload === undefined) delete headers['content-type'];
    res.writeHead(status, headers);
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  };
}

/** GitHub's `Link` header: prev, next, last, first, each URL pointing back at this stand-in. */
function linkHeader(url: URL, p: { page: number; last: number }): string {
  const at = (n: number): string => {
    const u = new URL(url.href);
    u.searchParams.set('page', String(n));
    return u.href;
  };
  const parts: string[] = [];
  if (p.page > 1) parts.push(`<${at(p.page - 1)}>; rel="prev"`);
  if (p.page < p.last) parts.push(`<${at(p.page + 1)}>; rel="next"`, `<${at(p.last)}>; rel="last"`);
  if (p.page > 1) parts.push(`<${at(1)}>; rel="first"`);
  return parts.join(', ');
}
