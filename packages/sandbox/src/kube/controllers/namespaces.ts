/**
 * Deletion as the apiserver, the namespace controller and the garbage collector do it: finalizers,
 * Terminating namespaces, ownerReference cascades.
 */
import { ApiError, notFound } from '../server/errors.js';
import type { Scenarios } from '../scenarios.js';
import type { KubeObject, ObjectStore, ResourceType } from '../storage/store.js';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteContext {
  store: ObjectStore;
  /** Namespace holds (`Scenarios.holdNamespace`). */
  scenarios?: Scenarios;
  /** Source of deletionTimestamp; Date.now by default. */
  clock?: { now(): number };
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const timestamp = (ctx: DeleteContext): string =>
  new Date((ctx.clock ?? Date).now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The namespace finalizer the apiserver puts in `spec.finalizers` and the namespace controller removes. */
const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * DELETE as the apiserver and garbage collector do it. An object with finalizers gets a
 * deletionTimestamp and stays until they are gone; a Namespace turns Terminating and the
 * namespace controller (`reconcileNamespace`) empties and removes it. Dependents (by
 * ownerReferences) go with their owner (Background, Foreground) or lose the reference (Orphan).
 * Returns the object as deleted (or as marked for deletion); throws ApiError NotFound / Conflict.
 */
export function deleteObject(
  ctx: DeleteContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions = {},
): KubeObject {
  const { store } = ctx;
  const ns = t.namespaced ? namespace : undefined;
  const cur = store.get(t, ns, name);
  if (!cur) throw notFound(t.resource, t.group, name);
  const pre = options.preconditions;
  if (pre?.uid !== undefined && pre.uid !== cur.metadata.uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid ?? ''}`,
      { name, group: t.group, kind: t.resource },
    );
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== cur.metadata.resourceVersion) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ''}`,
      { name, group: t.group, kind: t.resource },
    );
  }
  if (!t.group && t.kind === 'Namespace') return deleteNamespace(ctx, t, cur, options);
  // Deleting again while finalizers hold it answers with the object as it is.
  if (cur.metadata.deletionTimestamp) return cur;
  const finalizers = cur.metadata.finalizers ?? [];
  if (options.dryRun)
    return finalizers.length > 0 ? { ...cur, metadata: { ...cur.metadata, deletionTimestamp: timestamp(ctx) } } : cur;

  const policy = options.propagationPolicy ?? 'Background';
  if (policy === 'Orphan') orphanDependents(store, cur);
  if (policy === 'Foreground') collectDependents(ctx, cur, 'Foreground');
  if (finalizers.length > 0) {
    return store.update(t, {
      ...cur,
      metadata: {
        ...cur.metadata,
        deletionTimestamp: timestamp(ctx),
        deletionGracePeriodSeconds: 0,
      } as KubeObject['metadata'],
    });
  }
  const removed = store.remove(t, ns, name) ?? cur;
  if (policy === 'Background') collectDependents(ctx, removed, 'Background');
  return removed;
}

function deleteNamespace(ctx: DeleteContext, t: ResourceType, cur: KubeObject, options: DeleteOptions): KubeObject {
  const { store } = ctx;
  const name = cur.metadata.name;
  const terminating = (o: KubeObject): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, deletionTimestamp: o.metadata.deletionTimestamp ?? timestamp(ctx) },
    status: { ...(o.status as object | undefined), phase: 'Terminating' },
  });
  if (cur.metadata.deletionTimestamp) return cur;
  if (options.dryRun) return terminating(cur);
  const hold = ctx.scenarios?.holdFor(name);
  store.update(
    t,
    { ...cur, status: { ...(cur.status as object | undefined), phase: 'Terminating' } },
    { status: true },
  );
  const latest = store.get(t, undefined, name) ?? cur;
  const finalizers = [...(latest.metadata.finalizers ?? [])];
  if (hold !== undefined && !finalizers.includes(hold)) finalizers.push(hold);
  const marked = store.update(t, {
    ...latest,
    metadata: {
      ...latest.metadata,
      deletionTimestamp: timestamp(ctx),
      ...(finalizers.length > 0 ? { finalizers } : {}),
    },
  });
  // A store that counts only metadata.finalizers drops the namespace at once; its content must still go.
  if (!store.get(t, undefined, name)) purgeNamespace(ctx, name);
  return marked;
}

/**
 * The namespace controller's pass over a Terminating namespace: deletes everything in it, and
 * once nothing is left removes the `kubernetes` finalizer, which removes the namespace unless
 * a metadata finalizer (a hold) keeps it. Returns true when the namespace is gone.
 */
export function reconcileNamespace(ctx: DeleteContext, name: string): boolean {
  const { store } = ctx;
  const nsType = store.types.get('', 'v1', 'namespaces');
  if (!nsType) return true;
  const ns = store.get(nsType, undefined, name);
  if (!ns) return true;
  if (!ns.metadata.deletionTimestamp) return false;
  const remaining = purgeNamespace(ctx, name);
  const latest = store.get(nsType, undefined, name);
  if (!latest) return true;
  const previous = (latest.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  const conditions = namespaceConditions(remaining, latest.metadata.finalizers ?? [], previous, timestamp(ctx));
  const status = { ...(latest.status as object | undefined), phase: 'Terminating', conditions };
  const reported = store.update(
    nsType,
    { ...latest, metadata: { ...latest.metadata, resourceVersion: undefined }, status },
    { status: true },
  );
  if (remaining.length > 0 || !store.get(nsType, undefined, name)) return remaining.length === 0;
  const spec = {
    ...(reported.spec as object | undefined),
    finalizers: specFinalizers(reported).filter((f) => f !== NAMESPACE_FINALIZER),
  };
  const finalized = store.update(nsType, {
    ...reported,
    metadata: { ...reported.metadata, resourceVersion: undefined },
    spec,
  });
  if (!store.get(nsType, undefined, name)) return true;
  if ((finalized.metadata.finalizers ?? []).length === 0) {
    store.remove(nsType, undefined, name);
    return true;
  }
  return false;
}

/** Removes a hold finalizer (`Scenarios.holdNamespace`) so a stuck namespace can finish. */
export function releaseNamespace(ctx: DeleteContext, name: string, finalizer?: string): void {
  const { store } = ctx;
  const nsType = store.types.get('', 'v1', 'namespaces');
  if (!nsType) return;
  const f = finalizer ?? ctx.scenarios?.holdFor(name) ?? 'sandbox.preview-fleet.dev/hold';
  ctx.scenarios?.clearHold(name);
  const ns = store.get(nsType, undefined, name);
  if (!ns) return;
  const finalizers = (ns.metadata.finalizers ?? []).filter((x) => x !== f);
  store.update(nsType, { ...ns, metadata: { ...ns.metadata, finalizers } });
  if (store.get(nsType, undefined, name)?.metadata.deletionTimestamp) reconcileNamespace(ctx, name);
}

/**
 * What the apiserver's NamespaceLifecycle admission says before a create in `namespace`:
 * 404 when it does not exist, 403 while it is being terminated.
 */
export function admitNamespacedCreate(store: ObjectStore, namespace: string): void {
  const nsType = store.types.get('', 'v1', 'namespaces');
  if (!nsType) return;
  const ns = store.get(nsType, undefined, namespace);
  if (!ns) throw notFound('namespaces', '', namespace);
  if (ns.metadata.deletionTimestamp) {
    throw new ApiError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name: namespace,
        kind: 'namespaces',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}

/**
 * The garbage collector for one owner that is gone (or going, with Foreground): dependents
 * whose every owner is gone are deleted with the same policy, others just lose the reference.
 */
export function collectDependents(ctx: DeleteContext, owner: KubeObject, policy: 'Background' | 'Foreground'): void {
  const { store } = ctx;
  const uid = owner.metadata.uid;
  if (!uid) return;
  const deps = dependentsOf(store, owner);
  if (deps.length === 0) return;
  const live = liveUids(store);
  live.delete(uid);
  for (const { t, o } of deps) {
    const others = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (others.some((r) => live.has(r.uid))) {
      store.update(t, { ...o, metadata: { ...o.metadata, ownerReferences: others } });
      continue;
    }
    try {
      deleteObject(ctx, t, o.metadata.namespace, o.metadata.name, { propagationPolicy: policy });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

/** Objects whose owner references point at a uid no object has any more (the GC's sweep after a removal). */
export function collectOrphans(ctx: DeleteContext, namespace: string | undefined): void {
  const { store } = ctx;
  const live = liveUids(store);
  for (const t of store.types.all()) {
    if (namespace !== undefined && !t.namespaced) continue;
    for (const o of store.list(t, namespace)) {
      const refs = o.metadata.ownerReferences ?? [];
      if (refs.length === 0 || o.metadata.deletionTimestamp) continue;
      if (refs.some((r) => live.has(r.uid))) continue;
      try {
        deleteObject(ctx, t, o.metadata.namespace, o.metadata.name, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}

function orphanDependents(store: ObjectStore, owner: KubeObject): void {
  for (const { t, o } of dependentsOf(store, owner)) {
    const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
    store.update(t, { ...o, metadata: { ...o.metadata, ownerReferences: refs } });
  }
}

function dependentsOf(store: ObjectStore, owner: KubeObject): Array<{ t: ResourceType; o: KubeObject }> {
  const out: Array<{ t: ResourceType; o: KubeObject }> = [];
  const ns = owner.metadata.namespace;
  for (const t of store.types.all()) {
    // A namespaced owner can only own objects in its own namespace.
    if (ns !== undefined && !t.namespaced) continue;
    for (const o of store.list(t, ns)) {
      if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid)) out.push({ t, o });
    }
  }
  return out;
}

function liveUids(store: ObjectStore): Set<string> {
  const out = new Set<string>();
  for (const t of store.types.all()) for (const o of store.list(t)) if (o.metadata.uid) out.add(o.metadata.uid);
  return out;
}

/** Deletes every object in the namespace; returns what is still there (held by finalizers). */
function purgeNamespace(ctx: DeleteContext, name: string): KubeObject[] {
  const { store } = ctx;
  const remaining: KubeObject[] = [];
  for (const t of store.types.all()) {
    if (!t.namespaced) continue;
    for (const o of store.list(t, name)) {
      try {
        deleteObject(ctx, t, name, o.metadata.name, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    remaining.push(...store.list(t, name));
  }
  return remaining;
}

function specFinalizers(ns: KubeObject): string[] {
  const f = (ns.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

/** The conditions the namespace controller reports while deletion is blocked (as `kubectl describe ns` shows them). */
interface Condition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

function namespaceConditions(
  remaining: KubeObject[],
  metaFinalizers: string[],
  previous: Condition[],
  now: string,
): Condition[] {
  const byFinalizer = new Map<string, number>();
  for (const o of remaining)
    for (const f of o.metadata.finalizers ?? []) byFinalizer.set(f, (byFinalizer.get(f) ?? 0) + 1);
  const kinds = new Map<string, number>();
  for (const o of remaining) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const cond = (type: string, on: boolean, reason: string, message: string): Condition => ({
    type,
    status: on ? 'True' : 'False',
    lastTransitionTime: now,
    reason: on ? reason : `ContentDeleted`,
    message: on ? message : 'All content successfully deleted, may be waiting on finalization',
  });
  const content = [...kinds].map(([k, n]) => `${k.toLowerCase()}s has ${n} resource instances`).join(', ');
  const fins = [...byFinalizer].map(([f, n]) => `${f} in ${n} resource instances`).join(', ');
  const next: Condition[] = [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      lastTransitionTime: now,
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      lastTransitionTime: now,
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    {
      type: 'NamespaceDeletionContentFailure',
      status: 'False',
      lastTransitionTime: now,
      reason: 'ContentDeleted',
      message: 'All content successfully deleted, may be waiting on finalization',
    },
    cond(
      'NamespaceContentRemaining',
      remaining.length > 0,
      'SomeResourcesRemain',
      `Some resources are remaining: ${content}`,
    ),
    byFinalizer.size > 0 || metaFinalizers.length > 0
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          lastTransitionTime: now,
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${fins || metaFinalizers.join(', ')}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          lastTransitionTime: now,
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
  // A condition whose status did not change keeps its transition time, so a repeated pass is a no-op write.
  return next.map((c) => {
    const old = previous.find((p) => p.type === c.type);
    return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
}
