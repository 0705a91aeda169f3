/**
 * The Vault stand-in's HTTP handler: routing, envelopes, injected faults, the request log and
 * the contract check; unrouted paths answer Vault's 404 and are recorded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/server.js';
import { appRoleLogin, jwtLogin, lookupSelf, resolveToken } from './auth.js';
import type { ContractChecker, OperationRef } from './contract.js';
import { VaultError, badRequest, noHandler, permissionDenied, sealed } from './errors.js';
import { kvOperation, operationIds, serveKv, type Served } from './kv-routes.js';
import { capabilitiesFor, defaultPolicy, type Capability } from './policy.js';
import { findMount, mountsOf, namespaceKey, requestId, type VaultState } from './state.js';

/** A fault armed by `injectFault`: answers `status` (after `latencyMs`) for matching paths, `times` times. */
export interface Fault {
  /** Tested against the request's pathname, e.g. /v1/secret/metadata/preview/app-12. */
  pathPattern: RegExp;
  /** Only this HTTP method (e.g. "DELETE"); any when absent. */
  method?: string;
  status?: 500 | 503 | 429;
  /**
   * The request is served (a write lands, CAS and all) and then the connection is reset before any
   * reply: the client sees ECONNRESET for a change that happened — the lost reply that makes
   * blind retries of non-idempotent writes dangerous.
   */
  dropReply?: boolean;
  times?: number;
  latencyMs?: number;
}

export interface Recorder {
  requestLog: Array<{ method: string; path: string; status: number; namespace: string }>;
  counts: Map<string, number>;
  contractViolations: string[];
  checker?: ContractChecker;
  faults: Array<Fault & { remaining: number }>;
  /** How injected latency waits (real timers by default; tests pass a recorder). */
  sleep: (ms: number) => Promise<void>;
}

const faultBody: Record<number, string> = {
  500: 'internal error',
  503: 'Vault is sealed',
  429: 'rate limit quota exceeded',
};

function sealStatus(state: VaultState): Record<string, unknown> {
  return {
    type: 'shamir',
    initialized: true,
    sealed: state.sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: '',
    version: '1.15.0',
    build_date: '2023-09-22T16:53:10Z',
    migration: false,
    recovery_seal: false,
    storage_type: 'inmem',
    ...(state.sealed
      ? {}
      : { cluster_name: 'vault-cluster-sandbox', cluster_id: '00000000-0000-0000-0000-000000000000' }),
  };
}

async function parseBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return undefined;
  const raw = (await readBody(req)).toString('utf8');
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badRequest(`failed to parse JSON input: ${(err as Error).message}`);
  }
}

/** Routes one request; throws VaultError for every non-2xx answer. */
async function route(
  state: VaultState,
  req: IncomingMessage,
  url: URL,
  ns: string,
  body: unknown,
  rec: Recorder,
  meta: { op?: OperationRef; dropReply?: boolean },
): Promise<Served> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/^\/v1\//, '').replace(/^\/+/, '');
  const listFlag = url.searchParams.get('list');
  const list = method === 'LIST' || (method === 'GET' && (listFlag === 'true' || listFlag === '1'));

  if (path === 'sys/seal-status' && method === 'GET') {
    return {
      status: 200,
      bare: sealStatus(state),
      op: { template: '/sys/seal-status', method: 'get', bare: true },
      opId: 'seal-status',
    };
  }
  if (path === 'sys/health' && method === 'GET') {
    // sys/health answers with its body in every state; sealed is 503 (API docs, sys/health).
    const health = {
      initialized: true,
      sealed: state.sealed,
      standby: false,
      performance_standby: false,
      server_time_utc: Math.floor(state.clock() / 1000),
      version: '1.15.0',
      cluster_name: 'vault-cluster-sandbox',
    };
    return {
      status: state.sealed ? 503 : 200,
      bare: health,
      op: { template: '/sys/health', method: 'get', bare: true },
      opId: 'read-health-status',
    };
  }
  if (state.sealed) throw sealed();

  for (const f of rec.faults) {
    if (f.remaining <= 0 || !f.pathPattern.test(url.pathname)) continue;
    if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
    f.remaining -= 1;
    if (f.latencyMs !== undefined && f.latencyMs > 0) await rec.sleep(f.latencyMs);
    if (f.dropReply) meta.dropReply = true;
    else if (f.status !== undefined) {
      const msg = f.status === 429 ? `request path "${path}": ${faultBody[429]}` : faultBody[f.status];
      throw new VaultError(f.status, [msg], undefined, f.status === 429 ? { 'retry-after': '1' } : {});
    }
  }

  if (method === 'POST' || method === 'PUT') {
    if (path === 'auth/approle/login') meta.op = { template: '/auth/{approle_mount_path}/login', method: 'post' };
    if (path === 'auth/jwt/login') meta.op = { template: '/auth/{jwt_mount_path}/login', method: 'post' };
    if (path === 'auth/approle/login')
      return {
        status: 200,
        auth: appRoleLogin(state, body),
        op: { template: '/auth/{approle_mount_path}/login', method: 'post' },
        opId: 'app-role-login',
      };
    if (path === 'auth/jwt/login')
      return {
        status: 200,
        auth: await jwtLogin(state, body),
        op: { template: '/auth/{jwt_mount_path}/login', method: 'post' },
        opId: 'jwt-login',
      };
  }

  const token = resolveToken(state, req.headers['x-vault-token']);
  const authorize = (p: string, cap: Capability): void => {
    if (token.policies.includes('root')) return;
    const caps = capabilitiesFor(
      [...token.policies.map((n) => (n === 'default' ? defaultPolicy : state.policies.get(n)))],
      p,
    );
    if (!caps.has(cap)) throw permissionDenied();
  };

  if (path === 'auth/token/lookup-self') {
    const post = method === 'POST' || method === 'PUT';
    authorize(path, post ? 'update' : 'read');
    return {
      status: 200,
      data: lookupSelf(state, token),
      op: { template: '/auth/token/lookup-self', method: post ? 'post' : 'get' },
      opId: post ? 'token-look-up-self2' : 'token-look-up-self',
    };
  }
  const mounts = mountsOf(state, ns);
  if (path.startsWith('sys/internal/ui/mounts/') && method === 'GET') {
    authorize(path, 'read');
    const hit = findMount(mounts, path.slice('sys/internal/ui/mounts/'.length));
    if (hit === undefined) throw permissionDenied();
    return {
      status: 200,
      data: {
        path: `${hit.mountPath}/`,
        type: 'kv',
        options: { version: String(hit.mount.version) },
        description: '',
        local: false,
        seal_wrap: false,
        external_entropy_access: false,
        config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
      },
      op: { template: '/sys/internal/ui/mounts/{path}', method: 'get' },
      opId: 'internal-ui-read-mount-information',
    };
  }
  const hit = findMount(mounts, path);
  if (hit === undefined) {
    authorize(path, list ? 'list' : method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'update');
    throw noHandler(path);
  }
  meta.op = kvOperation(hit.mount, hit.rest, method, list);
  const kv = serveKv({
    method,
    list,
    ...hit,
    query: url.searchParams,
    body,
    now: new Date(state.clock()).toISOString(),
    authorize,
  });
  return { ...kv, envelope: { mount_type: 'kv', ...kv.envelope } };
}

/** The HTTP handler: envelope, error envelope, request log, counters and the contract check. */
export function createVaultHandler(
  state: VaultState,
  rec: Recorder,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ns = namespaceKey(req.headers['x-vault-namespace']);
    let served: Served | undefined;
    const meta: { op?: OperationRef; dropReply?: boolean } = {};
    let body: unknown;
    let status: number;
    let payload: unknown;
    const headers: Record<string, string> = { 'cache-control': 'no-store', 'content-type': 'application/json' };
    try {
      if (!url.pathname.startsWith('/v1/')) throw noHandler(url.pathname);
      body = await parseBody(req);
      served = await route(state, req, url, ns, body, rec, meta);
      status = served.status;
      if (status !== 204) {
        payload = served.bare ?? {
          request_id: requestId(),
          lease_id: '',
          renewable: false,
          lease_duration: 0,
          data: served.data ?? null,
          wrap_info: null,
          warnings: null,
          auth: served.auth ?? null,
          mount_type: '',
          ...served.envelope,
        };
      }
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      status = err.status;
      payload =
        err.data === undefined
          ? { errors: err.errors }
          : { request_id: requestId(), data: err.data, errors: err.errors };
      Object.assign(headers, err.headers);
    }
    const opId =
      served?.opId ?? (meta.op && operationIds[`${meta.op.method} ${meta.op.template}`]) ?? `${req.method} ${status}`;
    rec.counts.set(opId, (rec.counts.get(opId) ?? 0) + 1);
    rec.requestLog.push({ method: req.method ?? 'GET', path: url.pathname, status, namespace: ns });
    const op = served?.op ?? meta.op;
    if (op !== undefined && rec.checker !== undefined) {
      rec.contractViolations.push(...rec.checker.check({ op, requestBody: body, status, responseBody: payload }));
    }
    if (meta.dropReply) {
      req.socket.destroy(); // served, but the reply is lost on the wire
    } else if (payload === undefined) {
      res.writeHead(status, { 'cache-control': 'no-store' });
      res.end();
    } else {
      res.writeHead(status, headers);
      res.end(JSON.stringify(payload));
    }
  };
}
