/**
 * Vault's KV engines (v1 and v2) as the stand-in serves them: read, write with CAS, metadata,
 * list, delete.
 */
import { badRequest, noHandler, notFound, unsupportedOperation } from './errors.js';
import {
  changeVersions,
  deleteLatest,
  listKeys,
  readData,
  readMetadata,
  writeData,
  writeMetadata,
  type Kv2Mount,
} from './kv2-store.js';
import type { Capability } from './policy.js';
import type { OperationRef } from './contract.js';
import type { Kv1Mount, Mount } from './state.js';

/** What a route produced: status, the `data` for the envelope, and the documented operation it was. */
export interface Served {
  status: number;
  data?: unknown;
  auth?: unknown;
  /** Whole body when the endpoint is not enveloped. */
  bare?: unknown;
  op?: OperationRef;
  /** Counter key, the contract's operationId where there is one. */
  opId: string;
  /** Extra envelope fields (KV v1 reads carry a lease_duration). */
  envelope?: Record<string, unknown>;
}

export interface KvRequest {
  method: string;
  /** Listing: the LIST verb, or GET with ?list=true|1 (node's HTTP parser cannot receive LIST). */
  list: boolean;
  mountPath: string;
  mount: Mount;
  /** Path below the mount, no leading slash. */
  rest: string;
  query: URLSearchParams;
  body: unknown;
  now: string;
  /** Throws Vault's 403 unless the token has `cap` on `path` (relative to the namespace). */
  authorize(path: string, cap: Capability): void;
}

const v2 = (sub: string, method: OperationRef['method']): OperationRef => ({
  template: `/{kv_v2_mount_path}/${sub}`,
  method,
});
const isWrite = (m: string): boolean => m === 'POST' || m === 'PUT';

function serveKv2(r: KvRequest, m: Kv2Mount): Served {
  const slash = r.rest.indexOf('/');
  const sub = slash === -1 ? r.rest : r.rest.slice(0, slash);
  const key = slash === -1 ? '' : r.rest.slice(slash + 1).replace(/\/+$/, '');
  const full = `${r.mountPath}/${sub}/${key}`;
  const exists = m.secrets.has(key);
  if (sub === 'metadata' && r.list) {
    r.authorize(key === '' ? `${r.mountPath}/metadata/` : `${full}/`, 'list');
    return {
      status: 200,
      data: { keys: listKeys(m.secrets.keys(), key) },
      op: v2('metadata/{path}/', 'get'),
      opId: 'kv-v2-list',
    };
  }
  if (key === '') throw noHandler(`${r.mountPath}/${r.rest}`);
  if (sub === 'data') {
    if (r.method === 'GET') {
      r.authorize(full, 'read');
      const raw = r.query.get('version');
      const version = raw === null ? undefined : Number(raw);
      if (version !== undefined && !Number.isInteger(version))
        throw badRequest(`error converting input for field "version": cannot parse '${raw}' as int`);
      return { status: 200, data: readData(m, key, version), op: v2('data/{path}', 'get'), opId: 'kv-v2-read' };
    }
    if (isWrite(r.method)) {
      r.authorize(full, exists ? 'update' : 'create');
      return {
        status: 200,
        data: writeData(m, key, r.body, r.now),
        op: v2('data/{path}', 'post'),
        opId: 'kv-v2-write',
      };
    }
    if (r.method === 'PATCH') {
      r.authorize(full, 'patch');
      const current = readData(m, key, undefined).data as Record<string, unknown>;
      const b = r.body as { data?: unknown; options?: unknown };
      if (typeof b?.data !== 'object' || b.data === null) throw badRequest('no data provided');
      const merged: Record<string, unknown> = { ...current };
      for (const [k, v] of Object.entries(b.data))
        if (v === null) delete merged[k];
        else merged[k] = v;
      return { status: 200, data: writeData(m, key, { data: merged, options: b.options }, r.now), opId: 'kv-v2-patch' };
    }
    if (r.method === 'DELETE') {
      r.authorize(full, 'delete');
      deleteLatest(m, key, r.now);
      return { status: 204, op: v2('data/{path}', 'delete'), opId: 'kv-v2-delete' };
    }
  }
  if (sub === 'metadata') {
    if (r.method === 'GET') {
      r.authorize(full, 'read');
      return { status: 200, data: readMetadata(m, key), op: v2('metadata/{path}', 'get'), opId: 'kv-v2-read-metadata' };
    }
    if (isWrite(r.method)) {
      r.authorize(full, exists ? 'update' : 'create');
      writeMetadata(m, key, r.body, r.now);
      return { status: 204, op: v2('metadata/{path}', 'post'), opId: 'kv-v2-write-metadata' };
    }
    if (r.method === 'DELETE') {
      r.authorize(full, 'delete');
      m.secrets.delete(key);
      return { status: 204, op: v2('metadata/{path}', 'delete'), opId: 'kv-v2-delete-metadata-and-all-versions' };
    }
  }
  if ((sub === 'delete' || sub === 'undelete' || sub === 'destroy') && isWrite(r.method)) {
    r.authorize(full, 'update');
    changeVersions(m, key, r.body, sub, r.now);
    return { status: 204, op: v2(`${sub}/{path}`, 'post'), opId: `kv-v2-${sub}-versions` };
  }
  if (['data', 'metadata', 'delete', 'undelete', 'destroy'].includes(sub)) throw unsupportedOperation();
  throw noHandler(`${r.mountPath}/${r.rest}`);
}

const v1 = (list: boolean, method: OperationRef['method']): OperationRef => ({
  template: list ? '/{kv_v1_mount_path}/{path}/' : '/{kv_v1_mount_path}/{path}',
  method,
});

function serveKv1(r: KvRequest, m: Kv1Mount): Served {
  const key = r.rest.replace(/\/+$/, '');
  const full = `${r.mountPath}/${key}`;
  if (r.list) {
    r.authorize(key === '' ? `${r.mountPath}/` : `${full}/`, 'list');
    return { status: 200, data: { keys: listKeys(m.data.keys(), key) }, op: v1(true, 'get'), opId: 'kv-v1-list' };
  }
  if (key === '') throw noHandler(`${r.mountPath}/`);
  if (r.method === 'GET') {
    r.authorize(full, 'read');
    const value = m.data.get(key);
    if (value === undefined) throw notFound();
    // KV v1 reads carry the mount's default lease (768h) as a refresh hint.
    return {
      status: 200,
      data: structuredClone(value),
      op: v1(false, 'get'),
      opId: 'kv-v1-read',
      envelope: { lease_duration: 2764800 },
    };
  }
  if (isWrite(r.method)) {
    r.authorize(full, m.data.has(key) ? 'update' : 'create');
    if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body))
      throw badRequest('failed to parse JSON input: request body must be a JSON object');
    if (Object.keys(r.body).length === 0) throw badRequest('missing data fields');
    m.data.set(key, structuredClone(r.body) as Record<string, unknown>);
    return { status: 204, op: v1(false, 'post'), opId: 'kv-v1-write' };
  }
  if (r.method === 'DELETE') {
    r.authorize(full, 'delete');
    m.data.delete(key);
    return { status: 204, op: v1(false, 'delete'), opId: 'kv-v1-delete' };
  }
  throw unsupportedOperation();
}

/** Serves a KV request for either engine version. */
export function serveKv(r: KvRequest): Served {
  return r.mount.version === 2 ? serveKv2(r, r.mount) : serveKv1(r, r.mount);
}

/**
 * The documented operation a KV request addresses, known before it is served, so a request body
 * is checked against the contract even when the request is refused.
 */
export function kvOperation(mount: Mount, rest: string, method: string, list: boolean): OperationRef | undefined {
  const m: OperationRef['method'] | undefined =
    method === 'GET' || method === 'LIST'
      ? 'get'
      : isWrite(method)
        ? 'post'
        : method === 'DELETE'
          ? 'delete'
          : undefined;
  if (m === undefined) return undefined;
  if (mount.version === 1) return v1(list, m);
  const sub = rest.split('/')[0];
  if (sub === 'metadata') return list ? v2('metadata/{path}/', 'get') : v2('metadata/{path}', m);
  if (sub === 'data') return v2('data/{path}', m);
  if ((sub === 'delete' || sub === 'undelete' || sub === 'destroy') && m === 'post') return v2(`${sub}/{path}`, m);
  return undefined;
}

/** Counter keys for operations refused before they were served (the contract's operationIds). */
export const operationIds: Record<string, string> = {
  'get /{kv_v2_mount_path}/data/{path}': 'kv-v2-read',
  'post /{kv_v2_mount_path}/data/{path}': 'kv-v2-write',
  'delete /{kv_v2_mount_path}/data/{path}': 'kv-v2-delete',
  'get /{kv_v2_mount_path}/metadata/{path}': 'kv-v2-read-metadata',
  'post /{kv_v2_mount_path}/metadata/{path}': 'kv-v2-write-metadata',
  'delete /{kv_v2_mount_path}/metadata/{path}': 'kv-v2-delete-metadata-and-all-versions',
  'get /{kv_v2_mount_path}/metadata/{path}/': 'kv-v2-list',
  'post /{kv_v2_mount_path}/delete/{path}': 'kv-v2-delete-versions',
  'post /{kv_v2_mount_path}/undelete/{path}': 'kv-v2-undelete-versions',
  'post /{kv_v2_mount_path}/destroy/{path}': 'kv-v2-destroy-versions',
  'get /{kv_v1_mount_path}/{path}': 'kv-v1-read',
  'post /{kv_v1_mount_path}/{path}': 'kv-v1-write',
  'delete /{kv_v1_mount_path}/{path}': 'kv-v1-delete',
  'get /{kv_v1_mount_path}/{path}/': 'kv-v1-list',
  'post /auth/{approle_mount_path}/login': 'app-role-login',
  'post /auth/{jwt_mount_path}/login': 'jwt-login',
};
