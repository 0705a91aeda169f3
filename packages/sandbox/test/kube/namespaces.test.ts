import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/kube/server/errors.js';
import {
  admitNamespacedCreate,
  collectOrphans,
  deleteObject,
  reconcileNamespace,
  releaseNamespace,
} from '../../src/kube/controllers/namespaces.js';
import { Scenarios } from '../../src/kube/scenarios.js';
import { ObjectStore, type KubeObject, type ResourceType } from '../../src/kube/storage/store.js';

function setup(): { store: ObjectStore; scenarios: Scenarios; t: (g: string, r: string) => ResourceType } {
  const store = new ObjectStore({ clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } });
  const t = (g: string, r: string): ResourceType => store.types.all().find((x) => x.group === g && x.resource === r)!;
  store.create(t('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  return { store, scenarios: new Scenarios(), t };
}

const cm = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'app', ...extra },
});

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('deleteObject', () => {
  it('removes an object without finalizers; a missing one is NotFound 404 with the real message', () => {
    const { store, t } = setup();
    store.create(t('', 'configmaps'), cm('a'));
    const out = deleteObject({ store }, t('', 'configmaps'), 'app', 'a', {});
    expect(out.metadata.name).toBe('a');
    expect(store.get(t('', 'configmaps'), 'app', 'a')).toBeUndefined();
    const err = thrown(() => deleteObject({ store }, t('', 'configmaps'), 'app', 'a', {}));
    expect([err.code, err.reason, err.message]).toEqual([404, 'NotFound', 'configmaps "a" not found']);
  });

  it('an object with finalizers gets a deletionTimestamp and stays until the last finalizer goes', () => {
    const { store, t } = setup();
    store.create(t('', 'configmaps'), cm('held', { finalizers: ['example.com/x'] }));
    const marked = deleteObject(
      { store, clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } },
      t('', 'configmaps'),
      'app',
      'held',
      {},
    );
    expect(marked.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(deleteObject({ store }, t('', 'configmaps'), 'app', 'held', {}).metadata.resourceVersion).toBe(
      marked.metadata.resourceVersion,
    );
    const cur = store.get(t('', 'configmaps'), 'app', 'held')!;
    store.update(t('', 'configmaps'), { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
    expect(store.get(t('', 'configmaps'), 'app', 'held')).toBeUndefined();
  });

  it('dryRun and a stale uid precondition change nothing', () => {
    const { store, t } = setup();
    store.create(t('', 'configmaps'), cm('a'));
    deleteObject({ store }, t('', 'configmaps'), 'app', 'a', { dryRun: true });
    expect(store.get(t('', 'configmaps'), 'app', 'a')).toBeDefined();
    const err = thrown(() =>
      deleteObject({ store }, t('', 'configmaps'), 'app', 'a', { preconditions: { uid: 'other' } }),
    );
    expect([err.code, err.reason]).toEqual([409, 'Conflict']);
    expect(err.message).toMatch(/^Precondition failed: UID in precondition: other, UID in object meta: /);
  });

  it('garbage collection follows ownerReferences; an object with a live second owner only loses the reference', () => {
    const { store, t } = setup();
    const owner = store.create(t('', 'configmaps'), cm('owner'));
    const other = store.create(t('', 'configmaps'), cm('other'));
    const ref = (o: KubeObject) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: o.metadata.name,
      uid: o.metadata.uid!,
    });
    const child = store.create(t('', 'secrets'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'child', namespace: 'app', ownerReferences: [ref(owner)] },
    });
    store.create(t('', 'secrets'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'grandchild', namespace: 'app', ownerReferences: [ref(child)] },
    });
    store.create(t('', 'secrets'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shared', namespace: 'app', ownerReferences: [ref(owner), ref(other)] },
    });
    deleteObject({ store }, t('', 'configmaps'), 'app', 'owner', { propagationPolicy: 'Foreground' });
    expect(store.list(t('', 'secrets'), 'app').map((s) => s.metadata.name)).toEqual(['shared']);
    expect(store.get(t('', 'secrets'), 'app', 'shared')?.metadata.ownerReferences).toEqual([ref(other)]);
    // An owner removed behind the GC's back: the sweep finds what pointed at it.
    store.remove(t('', 'configmaps'), 'app', 'other');
    collectOrphans({ store }, 'app');
    expect(store.list(t('', 'secrets'), 'app')).toEqual([]);
  });
});

describe('namespace deletion', () => {
  it('Terminating first (and no new content), then emptied and removed by the namespace controller', () => {
    const { store, t } = setup();
    store.create(t('', 'configmaps'), cm('a'));
    const ns = deleteObject({ store }, t('', 'namespaces'), undefined, 'app', {});
    expect(ns.metadata.deletionTimestamp).toBeDefined();
    expect(store.get(t('', 'namespaces'), undefined, 'app')?.status).toEqual({ phase: 'Terminating' });
    const err = thrown(() => admitNamespacedCreate(store, 'app'));
    expect([err.code, err.message]).toEqual([
      403,
      'unable to create new content in namespace app because it is being terminated',
    ]);
    expect(reconcileNamespace({ store }, 'app')).toBe(true);
    expect(store.get(t('', 'namespaces'), undefined, 'app')).toBeUndefined();
    expect(store.list(t('', 'configmaps'), 'app')).toEqual([]);
    expect(thrown(() => admitNamespacedCreate(store, 'app')).message).toBe('namespaces "app" not found');
  });

  it('content with a finalizer keeps the namespace Terminating with the real conditions; a hold keeps it after the content is gone', () => {
    const { store, scenarios, t } = setup();
    scenarios.holdNamespace('app', 'example.com/hold');
    store.create(t('', 'configmaps'), cm('stuck', { finalizers: ['example.com/cm'] }));
    deleteObject({ store, scenarios }, t('', 'namespaces'), undefined, 'app', {});
    expect(reconcileNamespace({ store, scenarios }, 'app')).toBe(false);
    const ns = store.get(t('', 'namespaces'), undefined, 'app')!;
    expect(ns.metadata.finalizers).toEqual(['example.com/hold']);
    const conds = (ns.status as { conditions: Array<{ type: string; status: string; message: string }> }).conditions;
    expect(conds.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({
      status: 'True',
      message: 'Some resources are remaining: configmaps has 1 resource instances',
    });
    expect(conds.find((c) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True',
      message: 'Some content in the namespace has finalizers remaining: example.com/cm in 1 resource instances',
    });
    // A second pass with nothing new is a no-op write.
    const rv = store.currentRv();
    reconcileNamespace({ store, scenarios }, 'app');
    expect(store.currentRv()).toBe(rv);

    const cur = store.get(t('', 'configmaps'), 'app', 'stuck')!;
    store.update(t('', 'configmaps'), { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
    expect(reconcileNamespace({ store, scenarios }, 'app')).toBe(false);
    expect(store.get(t('', 'namespaces'), undefined, 'app')?.spec).toEqual({ finalizers: [] });
    releaseNamespace({ store, scenarios }, 'app');
    expect(store.get(t('', 'namespaces'), undefined, 'app')).toBeUndefined();
  });
});
