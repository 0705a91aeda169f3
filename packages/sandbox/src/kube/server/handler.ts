/**
 * The Kubernetes API router: URL path to resource, then the verb (get, list, watch, create,
 * update, patch, delete); anything else is a 404 and is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readObjectBody, readPatchBody } from '../encoding/body.js';
import type { KubeContext, RequestInfo } from './context.js';
import { deleteCollection, deleteResource } from '../verbs/delete.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { ApiError, notFound } from './errors.js';
import { OPENAPI_V2_PROTOBUF, groupDocument, openapiIndex, swaggerDocument, swaggerProtobuf } from './openapi.js';
import { objectFilter } from '../storage/selectors.js';
import { apiVersionOf, type KubeObject, type ResourceType } from '../storage/store.js';
import { toTable, wantsTable } from '../encoding/table.js';
import { serveWatch } from '../verbs/watch.js';
import { unknownFields } from '../admission/validate.js';
import { createObject, patchObject, scaleOf, updateObject, writeScale } from '../verbs/writes.js';

const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'networking.k8s.io',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
]);

/** Splits a URL path into the resource it addresses; undefined for non-resource paths. */
export function route(
  ctx: KubeContext,
  method: string,
  path: string,
  query: URLSearchParams,
  userAgent: string,
): RequestInfo {
  const info: RequestInfo = { method, path, query, verb: method, userAgent };
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let groupName: string;
  let version: string | undefined;
  let rest: string[];
  if (segs[0] === 'api') [groupName, version, rest] = ['', segs[1], segs.slice(2)];
  else if (segs[0] === 'apis') [groupName, version, rest] = [segs[1] ?? '', segs[2], segs.slice(3)];
  else return info;
  if (!version || rest.length === 0) return info;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const type = ctx.store.types.get(groupName, version, rest[0]);
  if (!type) return { ...info, verb: 'unknown' };
  const [, name, subresource] = rest;
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: string;
  if (method === 'GET') verb = name === undefined ? (watch ? 'watch' : 'list') : 'get';
  else if (method === 'POST') verb = 'create';
  else if (method === 'PUT') verb = 'update';
  else if (method === 'PATCH') verb = 'patch';
  else if (method === 'DELETE') verb = name === undefined ? 'deletecollection' : 'delete';
  else verb = method;
  return { ...info, verb, type, namespace: type.namespaced ? namespace : undefined, name, subresource };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Serves one routed request. Throws ApiError for the caller to turn into a Status. */
export async function serve(
  ctx: KubeContext,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { type: t, query } = info;
  if (!t) return serveNonResource(ctx, info, req, res);
  if (info.verb === 'unknown') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  // a namespaced object is addressed inside its namespace; only list/watch span all namespaces
  if (t.namespaced && info.namespace === undefined && info.verb !== 'list' && info.verb !== 'watch') {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const sub = info.subresource;
  if (sub !== undefined && !(t.subresources ?? []).includes(sub))
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const dryRun = query.getAll('dryRun').includes('All');
  const fieldManager = query.get('fieldManager') ?? undefined;
  // without ?fieldManager the real server names the manager after the user agent's program
  const manager = fieldManager ?? (info.userAgent.split('/')[0] || 'unknown');
  const ns = info.namespace;
  const name = info.name ?? '';
  /** fieldValidation: Strict throws, Warn (the default) answers with Warning headers. */
  const checkFields = (body: unknown): void => {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || sub !== undefined) return;
    const warnings = unknownFields(
      t,
      body as Record<string, unknown>,
      query.get('fieldValidation'),
      BUILTIN_GROUPS.has(t.group),
    );
    if (warnings.length > 0)
      res.setHeader(
        'Warning',
        warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
  };

  switch (info.verb) {
    case 'watch':
      serveWatch({
        req,
        res,
        store: ctx.store,
        type: t,
        namespace: ns,
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        sendInitialEvents: query.get('sendInitialEvents') === 'true',
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
      });
      return;
    case 'list': {
      const filter = objectFilter(query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
      const items = ctx.store.list(t, ns).filter(filter);
      const rv = String(ctx.store.currentRv());
      if (wantsTable(req.headers.accept)) {
        return send(
          res,
          200,
          toTable(t, items, {
            now: ctx.clock.now(),
            resourceVersion: rv,
            includeObject: query.get('includeObject') ?? undefined,
          }),
        );
      }
      return send(res, 200, {
        kind: `${t.kind}List`,
        apiVersion: apiVersionOf(t),
        metadata: { resourceVersion: rv },
        items,
      });
    }
    case 'get': {
      const o = ctx.store.get(t, ns, name);
      if (!o) throw notFound(t.resource, t.group, name);
      if (sub === 'scale') return send(res, 200, scaleOf(o));
      if (sub === 'log') {
        // no container really runs: `kubectl logs` gets an empty text stream
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 0 });
        res.end();
        return;
      }
      if (wantsTable(req.headers.accept)) {
        return send(
          res,
          200,
          toTable(t, [o], {
            now: ctx.clock.now(),
            resourceVersion: o.metadata.resourceVersion ?? '',
            includeObject: query.get('includeObject') ?? undefined,
          }),
        );
      }
      return send(res, 200, o);
    }
    case 'create': {
      if (info.name !== undefined)
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      const body = await readObjectBody(req);
      if (!body) throw new ApiError(400, 'BadRequest', 'the request body is empty');
      checkFields(body);
      return send(res, 201, createObject(ctx, t, ns, body, { dryRun, fieldManager, manager }));
    }
    case 'update': {
      const body = await readObjectBody(req);
      if (!body) throw new ApiError(400, 'BadRequest', 'the request body is empty');
      checkFields(body);
      if (sub === 'scale')
        return send(res, 200, writeScale(ctx, t, ns, name, 'put', body, { dryRun, fieldManager, manager }));
      if (sub === 'finalize')
        return send(res, 200, updateObject(ctx, t, ns, name, body, { dryRun, fieldManager, manager }));
      return send(res, 200, updateObject(ctx, t, ns, name, body, { dryRun, fieldManager, manager, subresource: sub }));
    }
    case 'patch': {
      const custom = !BUILTIN_GROUPS.has(t.group);
      const { kind, patch } = await readPatchBody(req, custom);
      if (kind !== 'json') checkFields(patch);
      if (sub === 'scale')
        return send(res, 200, writeScale(ctx, t, ns, name, kind, patch, { dryRun, fieldManager, manager }));
      const force = query.get('force') === 'true';
      const out = patchObject(ctx, t, ns, name, kind, patch, {
        dryRun,
        fieldManager,
        manager,
        force,
        subresource: sub,
      });
      return send(res, out.created ? 201 : 200, out.object);
    }
    case 'delete': {
      const body = await readObjectBody(req);
      const out = deleteResource(ctx, t, ns, name, deleteOptions(query, body), dryRun);
      return send(res, 200, out);
    }
    case 'deletecollection': {
      const body = await readObjectBody(req);
      const filter = objectFilter(query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
      return send(res, 200, deleteCollection(ctx, t, ns, filter, deleteOptions(query, body), dryRun));
    }
    default:
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

/** DeleteOptions from the body (JSON or protobuf) with query parameters taking precedence. */
function deleteOptions(query: URLSearchParams, body: Record<string, unknown> | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = { ...(body ?? {}) };
  if (query.has('propagationPolicy')) o.propagationPolicy = query.get('propagationPolicy');
  if (query.has('gracePeriodSeconds')) o.gracePeriodSeconds = Number(query.get('gracePeriodSeconds'));
  if (query.has('orphanDependents')) o.orphanDependents = query.get('orphanDependents') === 'true';
  return o;
}

function serveNonResource(ctx: KubeContext, info: RequestInfo, req: IncomingMessage, res: ServerResponse): void {
  const p = info.path.replace(/\/+$/, '') || '/';
  const types = ctx.store.types;
  if (info.method !== 'GET')
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (p === '/version') return send(res, 200, versionInfo());
  if (p === '/healthz' || p === '/livez' || p === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (p === '/api') return send(res, 200, coreVersions(ctx.hostPort));
  if (p === '/apis') return send(res, 200, groupList(types));
  if (p === '/openapi/v3') return send(res, 200, openapiIndex(types));
  if (p === '/openapi/v2') {
    if (!(req.headers.accept ?? '').includes('protobuf')) return send(res, 200, swaggerDocument(types));
    const body = swaggerProtobuf();
    res.writeHead(200, { 'content-type': OPENAPI_V2_PROTOBUF, 'content-length': body.length });
    res.end(body);
    return;
  }
  let m = /^\/api\/([^/]+)$/.exec(p);
  if (m) return sendOr404(res, resourceList(types, '', m[1]));
  m = /^\/apis\/([^/]+)$/.exec(p);
  if (m) return sendOr404(res, group(types, m[1]));
  m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (m) return sendOr404(res, resourceList(types, m[1], m[2]));
  m = /^\/openapi\/v3\/api\/([^/]+)$/.exec(p);
  if (m) return sendOr404(res, groupDocument(types, '', m[1]));
  m = /^\/openapi\/v3\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (m) return sendOr404(res, groupDocument(types, m[1], m[2]));
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function sendOr404(res: ServerResponse, body: Record<string, unknown> | undefined): void {
  if (!body) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  send(res, 200, body);
}

export type { KubeObject, ResourceType };
