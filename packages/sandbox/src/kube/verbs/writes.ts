/**
 * Create, update and patch: identity checks, validation, admission, then the store; the scale view.
 */
import { isDeepStrictEqual } from 'node:util';
import { recordUpdate, serverSideApply, type ManagedFieldsEntry } from './apply.js';
import type { PatchKind } from '../encoding/body.js';
import { admit, type KubeContext } from '../server/context.js';
import { ApiError, badRequest, notFound } from '../server/errors.js';
import { jsonMergePatch, jsonPatch, strategicMerge } from './patch.js';
import { apiVersionOf, type KubeObject, type ResourceType } from '../storage/store.js';
import { checkNamespace, validateObject } from '../admission/validate.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  /** Records an Update entry in managedFields for this manager (unset for apply, which records its own). */
  manager?: string;
}

function nowIso(ctx: KubeContext): string {
  return new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks the body's identity against the URL, as the real server does (400 on a mismatch). */
function checkIdentity(t: ResourceType, body: Obj, namespace: string | undefined, name?: string): KubeObject {
  if (!isObj(body)) throw badRequest('the request body must be an object');
  const o = body as unknown as KubeObject;
  if (!isObj(o.metadata)) o.metadata = {} as KubeObject['metadata'];
  if (o.kind && o.kind !== t.kind)
    throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${t.kind})`);
  if (o.apiVersion && o.apiVersion !== apiVersionOf(t)) {
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`,
    );
  }
  if (t.namespaced) {
    if (o.metadata.namespace && namespace && o.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (namespace) o.metadata.namespace = namespace;
  }
  if (name !== undefined && o.metadata.name && o.metadata.name !== name) {
    throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (name !== undefined && !o.metadata.name) o.metadata.name = name;
  o.apiVersion = apiVersionOf(t);
  o.kind = t.kind;
  return o;
}

/** POST: namespace lifecycle, validation, admission, then store (201). */
export function createObject(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  body: Obj,
  opts: WriteOptions,
): KubeObject {
  const o = checkIdentity(t, body, namespace);
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const)
    delete o.metadata[k];
  if (t.subresources?.includes('status')) delete o.status;
  checkNamespace(ctx.store, t, t.namespaced ? (o.metadata.namespace ?? 'default') : undefined, o.metadata.name ?? '');
  const preview = ctx.store.create(t, o, { dryRun: true });
  validateObject(t, preview, undefined);
  admit(ctx, {
    operation: 'CREATE',
    type: t,
    namespace: preview.metadata.namespace,
    name: preview.metadata.name,
    object: preview,
    dryRun: opts.dryRun,
  });
  if (opts.dryRun) return preview;
  if (preview.metadata.generateName && !o.metadata.name) o.metadata.name = preview.metadata.name;
  if (opts.manager) o.metadata.managedFields = recordUpdate(undefined, opts.manager, undefined, o, nowIso(ctx));
  return ctx.store.create(t, o);
}

/** PUT (and the final step of every patch): validation and admission against the stored object. */
export function updateObject(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  body: Obj,
  opts: WriteOptions & { subresource?: string },
): KubeObject {
  const o = checkIdentity(t, body, namespace, name);
  const cur = ctx.store.get(t, namespace, name);
  if (!cur) throw notFound(t.resource, t.group, name);
  if (opts.subresource !== 'status') {
    // clients cannot set or clear a deletionTimestamp, nor resurrect fields the server owns
    if (cur.metadata.deletionTimestamp) o.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
    else delete o.metadata.deletionTimestamp;
    if (cur.metadata.deletionTimestamp) {
      const added = (o.metadata.finalizers ?? []).filter((f) => !(cur.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw new ApiError(
          422,
          'Invalid',
          `${t.kind} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        );
      }
    }
  }
  const status = opts.subresource === 'status';
  // a body that changes managedFields sets them (helm 4 rewrites helm's Update entries into its
  // Apply entry that way); otherwise the writer becomes the Update owner of what it changed
  const explicit =
    o.metadata.managedFields !== undefined && !isDeepStrictEqual(o.metadata.managedFields, cur.metadata.managedFields);
  if (status) o.metadata.managedFields = cur.metadata.managedFields;
  else if (opts.manager && !explicit)
    o.metadata.managedFields = recordUpdate(
      cur.metadata.managedFields as ManagedFieldsEntry[] | undefined,
      opts.manager,
      cur,
      o,
      nowIso(ctx),
    );
  else if (!explicit) o.metadata.managedFields = cur.metadata.managedFields;
  const preview = ctx.store.update(t, o, { status, dryRun: true });
  if (!status) validateObject(t, preview, cur);
  admit(ctx, { operation: 'UPDATE', type: t, namespace, name, object: preview, oldObject: cur, dryRun: opts.dryRun });
  if (opts.dryRun) return preview;
  return ctx.store.update(t, o, { status });
}

/** PATCH of every kind; server-side apply creates a missing object. Returns the result and whether it was created. */
export function patchObject(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  kind: PatchKind,
  patch: unknown,
  opts: WriteOptions & { subresource?: string; force: boolean },
): { object: KubeObject; created: boolean } {
  const cur = ctx.store.get(t, namespace, name);
  if (kind === 'apply') return applyPatch(ctx, t, namespace, name, cur, patch, opts);
  if (!cur) throw notFound(t.resource, t.group, name);
  let next: unknown;
  if (kind === 'json') next = jsonPatch(cur, patch);
  else if (kind === 'merge') next = jsonMergePatch(cur, patch);
  else next = strategicMerge(cur, patch);
  if (!isObj(next)) throw badRequest('the patch produced something that is not an object');
  const nextObj = next as KubeObject;
  if (!isObj(nextObj.metadata)) nextObj.metadata = {} as KubeObject['metadata'];
  // a patch that does not name a resourceVersion is unconditional
  if (!isObj(patch) || !isObj((patch as Obj).metadata) || !(patch as { metadata: Obj }).metadata.resourceVersion) {
    if (kind !== 'json') nextObj.metadata.resourceVersion = cur.metadata.resourceVersion;
  }
  return { object: updateObject(ctx, t, namespace, name, nextObj, opts), created: false };
}

function applyPatch(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  cur: KubeObject | undefined,
  patch: unknown,
  opts: WriteOptions & { subresource?: string; force: boolean },
): { object: KubeObject; created: boolean } {
  if (!opts.fieldManager) {
    throw new ApiError(
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  }
  if (!isObj(patch)) throw badRequest('an apply configuration must be an object');
  const config = patch as unknown as KubeObject;
  if (!config.apiVersion || !config.kind) {
    throw badRequest('invalid object type: apply configuration must set apiVersion and kind');
  }
  if (!isObj(config.metadata)) config.metadata = { name } as KubeObject['metadata'];
  if (config.metadata.name && config.metadata.name !== name) {
    throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
  }
  config.metadata.name = name;
  if (t.namespaced && namespace) {
    if (config.metadata.namespace && config.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    config.metadata.namespace = namespace;
  }
  checkIdentity(t, { ...config } as unknown as Obj, namespace, name);
  const { object, managedFields } = serverSideApply(cur, config, opts.fieldManager, opts.force, nowIso(ctx));
  object.metadata.managedFields = managedFields;
  const own = { ...opts, manager: undefined };
  if (!cur) return { object: createObject(ctx, t, namespace, object as unknown as Obj, own), created: true };
  object.metadata.resourceVersion = cur.metadata.resourceVersion;
  return { object: updateObject(ctx, t, namespace, name, object as unknown as Obj, own), created: false };
}

/** The autoscaling/v1 Scale view of a workload (`kubectl scale`, HPA). */
export function scaleOf(o: KubeObject): KubeObject {
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  const sel = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(sel)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** PUT/PATCH of the scale subresource: only spec.replicas moves. */
export function writeScale(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  kind: PatchKind | 'put',
  body: unknown,
  opts: WriteOptions,
): KubeObject {
  const cur = ctx.store.get(t, namespace, name);
  if (!cur) throw notFound(t.resource, t.group, name);
  const scale = scaleOf(cur);
  let next: unknown;
  if (kind === 'put') next = body;
  else if (kind === 'json') next = jsonPatch(scale, body);
  else if (kind === 'merge' || kind === 'apply') next = jsonMergePatch(scale, body);
  else next = strategicMerge(scale, body);
  const replicas = isObj(next) && isObj(next.spec) ? next.spec.replicas : undefined;
  if (typeof replicas !== 'number' || replicas < 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  }
  const wantRv = isObj(next) && isObj(next.metadata) ? next.metadata.resourceVersion : undefined;
  if (kind === 'put' && typeof wantRv === 'string' && wantRv && wantRv !== cur.metadata.resourceVersion) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${t.resource}.${t.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
  const updated = { ...cur, spec: { ...(cur.spec as Obj), replicas } };
  return scaleOf(updateObject(ctx, t, namespace, name, updated as unknown as Obj, opts));
}
