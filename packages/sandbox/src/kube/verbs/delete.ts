/**
 * DELETE of one object or a collection, answered as the real registry answers.
 */
import { admit, type KubeContext } from '../server/context.js';
import { ApiError, notFound } from '../server/errors.js';
import { deleteObject, type DeleteOptions, type PropagationPolicy } from '../controllers/namespaces.js';
import type { KubeObject, ResourceType } from '../storage/store.js';

/** Kinds whose DELETE answers with the object rather than a Status (graceful deletion in the real registry). */
const RETURNS_OBJECT = new Set(['Pod', 'Namespace']);

function options(raw: Record<string, unknown>, dryRun: boolean): DeleteOptions {
  const policy = raw.propagationPolicy;
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(String(policy))) {
    throw new ApiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const orphan = raw.orphanDependents === true ? 'Orphan' : undefined;
  const pre = raw.preconditions as DeleteOptions['preconditions'];
  const dry = dryRun || (Array.isArray(raw.dryRun) && raw.dryRun.includes('All'));
  return {
    propagationPolicy: (policy as PropagationPolicy | undefined) ?? orphan,
    gracePeriodSeconds: typeof raw.gracePeriodSeconds === 'number' ? raw.gracePeriodSeconds : undefined,
    dryRun: dry,
    preconditions: pre && (pre.uid || pre.resourceVersion) ? pre : undefined,
  };
}

/**
 * DELETE of one object through the deletion semantics in namespaces.ts (finalizers,
 * Terminating namespaces, ownerReference GC). An object removed at once answers with a
 * `Status` Success, as the real registry does; one still held answers with itself.
 */
export function deleteResource(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  raw: Record<string, unknown>,
  dryRun: boolean,
): KubeObject {
  const opts = options(raw, dryRun);
  const cur = ctx.store.get(t, namespace, name);
  if (!cur) throw notFound(t.resource, t.group, name);
  admit(ctx, { operation: 'DELETE', type: t, namespace, name, oldObject: cur, dryRun: opts.dryRun ?? false });
  const out = deleteObject({ store: ctx.store, scenarios: ctx.scenarios, clock: ctx.clock }, t, namespace, name, opts);
  const stillThere = opts.dryRun
    ? (cur.metadata.finalizers?.length ?? 0) > 0
    : ctx.store.get(t, namespace, name) !== undefined;
  if (stillThere || RETURNS_OBJECT.has(t.kind)) return out;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {} as KubeObject['metadata'],
    status: 'Success',
    details: { name, ...(t.group ? { group: t.group } : {}), kind: t.resource, uid: cur.metadata.uid },
  };
}

/** DELETE on a collection (`kubectl delete --all`, `-l`): every matching object, answered with the list of what was deleted. */
export function deleteCollection(
  ctx: KubeContext,
  t: ResourceType,
  namespace: string | undefined,
  filter: (o: KubeObject) => boolean,
  raw: Record<string, unknown>,
  dryRun: boolean,
): KubeObject {
  const items: KubeObject[] = [];
  for (const o of ctx.store.list(t, namespace).filter(filter)) {
    try {
      deleteResource(ctx, t, o.metadata.namespace, o.metadata.name, raw, dryRun);
      items.push(o);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
  return {
    kind: `${t.kind}List`,
    apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
    metadata: { resourceVersion: String(ctx.store.currentRv()) } as KubeObject['metadata'],
    items,
  };
}
