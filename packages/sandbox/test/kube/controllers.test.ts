import { afterEach, describe, expect, it } from 'vitest';
import { startControllers, type Controllers } from '../../src/kube/controllers/index.js';
import { deleteObject } from '../../src/kube/controllers/namespaces.js';
import { Scenarios, SCENARIO_ANNOTATION } from '../../src/kube/scenarios.js';
import { ObjectStore, type KubeObject, type ResourceType } from '../../src/kube/storage/store.js';

let store: ObjectStore;
let scenarios: Scenarios;
let controllers: Controllers | undefined;

afterEach(() => {
  expect(controllers?.errors ?? []).toEqual([]);
  controllers?.stop();
  controllers = undefined;
});

function start(delayMs = 20): void {
  store = new ObjectStore();
  scenarios = new Scenarios();
  store.create(type('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  controllers = startControllers(store, { delayMs, scenarios });
}

function type(group: string, resource: string): ResourceType {
  const t = store.types.all().find((x) => x.group === group && x.resource === resource);
  if (!t) throw new Error(resource);
  return t;
}

/** Resolves when `check` holds, re-evaluated on every store event (no polling); rejects after `ms`. */
function until<T>(check: () => T | undefined | false, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check();
    if (now) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`condition not met within ${ms} ms`));
    }, ms);
    const off = store.subscribe(() => {
      const v = check();
      if (v) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}

const deployment = (
  name: string,
  image: string,
  extra: { annotations?: Record<string, string>; replicas?: number; progressDeadlineSeconds?: number } = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'app', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    replicas: extra.replicas ?? 2,
    ...(extra.progressDeadlineSeconds ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
  },
});

const get = (group: string, resource: string, name: string, ns: string | undefined = 'app'): KubeObject | undefined =>
  store.get(type(group, resource), ns, name);
const status = (o: KubeObject | undefined): Record<string, any> => (o?.status ?? {}) as Record<string, any>;
const cond = (o: KubeObject | undefined, t: string): Record<string, any> | undefined =>
  (status(o).conditions ?? []).find((c: { type: string }) => c.type === t);

/** kstatus's Deployment rule (what helm 4 waits for). */
function kstatusCurrent(d: KubeObject | undefined): boolean {
  const s = status(d);
  const want = (d?.spec as { replicas: number }).replicas;
  return (
    s.observedGeneration === d?.metadata.generation &&
    s.replicas === want &&
    s.updatedReplicas === want &&
    s.readyReplicas === want &&
    s.availableReplicas === want &&
    cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
    cond(d, 'Available')?.status === 'True'
  );
}

describe('controllers', () => {
  it('Deployment → ReplicaSet (hash, owner, revision) → ready Pods, and the status helm 3, helm 4 and kubectl read', async () => {
    start();
    store.create(type('apps', 'deployments'), deployment('web', 'nginx:1.25'));
    const d = await until(() => {
      const x = get('apps', 'deployments', 'web');
      return kstatusCurrent(x) && x;
    });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const rss = store.list(type('apps', 'replicasets'), 'app');
    expect(rss).toHaveLength(1);
    const rs = rss[0];
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: d.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(status(rs)).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const pods = store.list(type('', 'pods'), 'app');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(status(p)).toMatchObject({
        phase: 'Running',
        containerStatuses: [{ name: 'web', ready: true, state: { running: {} } }],
      });
      expect(cond(p, 'Ready')?.status).toBe('True');
    }
    expect(cond(d, 'Progressing')?.message).toBe(`ReplicaSet "${rs.metadata.name}" has successfully progressed.`);
    // Converged: nothing changes any more.
    const rv = store.currentRv();
    await controllers!.idle();
    expect(store.currentRv()).toBe(rv);
  });

  it('a new template gets a new ReplicaSet (revision 2); going back re-uses the old one as revision 3', async () => {
    start();
    store.create(type('apps', 'deployments'), deployment('web', 'nginx:1.25'));
    await until(() => kstatusCurrent(get('apps', 'deployments', 'web')));
    const update = (image: string): void => {
      const cur = get('apps', 'deployments', 'web')!;
      const spec = structuredClone(cur.spec) as any;
      spec.template.spec.containers[0].image = image;
      store.update(type('apps', 'deployments'), { ...cur, spec });
    };
    update('nginx:1.26');
    const d2 = await until(() => {
      const x = get('apps', 'deployments', 'web');
      return x?.metadata.generation === 2 && kstatusCurrent(x) && x;
    });
    expect(d2.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const byRev = (): Record<string, number> =>
      Object.fromEntries(
        store
          .list(type('apps', 'replicasets'), 'app')
          .map((rs) => [
            rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
            (rs.spec as { replicas: number }).replicas,
          ]),
      );
    expect(byRev()).toEqual({ 1: 0, 2: 2 });
    expect(store.list(type('', 'pods'), 'app').every((p) => (p.spec as any).containers[0].image === 'nginx:1.26')).toBe(
      true,
    );
    update('nginx:1.25');
    await until(() => {
      const x = get('apps', 'deployments', 'web');
      return x?.metadata.generation === 3 && kstatusCurrent(x) && x;
    });
    expect(byRev()).toEqual({ 2: 0, 3: 2 });
    expect(store.list(type('apps', 'replicasets'), 'app')).toHaveLength(2);
  });

  it('image-pull-backoff: pods wait with the reason and Warning events; old pods keep serving; the deadline fails Progressing', async () => {
    start();
    store.create(
      type('apps', 'deployments'),
      deployment('web', 'nginx:1.25', { replicas: 1, progressDeadlineSeconds: 1 }),
    );
    await until(() => kstatusCurrent(get('apps', 'deployments', 'web')));
    const cur = get('apps', 'deployments', 'web')!;
    const spec = structuredClone(cur.spec) as any;
    spec.template.metadata.annotations = { [SCENARIO_ANNOTATION]: 'image-pull-backoff' };
    spec.template.spec.containers[0].image = 'nginx:missing';
    store.update(type('apps', 'deployments'), { ...cur, spec });
    const stuck = await until(() =>
      store
        .list(type('', 'pods'), 'app')
        .find((p) => status(p).containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'),
    );
    expect(cond(stuck, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    const warnings = await until(() => {
      const w = store
        .list(type('', 'events'), 'app')
        .filter((e) => e.type === 'Warning' && (e.involvedObject as any).name === stuck.metadata.name);
      return w.length >= 3 && w;
    });
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining(['Error: ImagePullBackOff', 'Error: ErrImagePull']),
    );
    expect(warnings[0].involvedObject).toMatchObject({
      kind: 'Pod',
      namespace: 'app',
      uid: stuck.metadata.uid,
      fieldPath: 'spec.containers{web}',
    });
    const d = await until(() => {
      const x = get('apps', 'deployments', 'web');
      return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && x;
    }, 4000);
    expect(status(d)).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'False' });
    expect(store.list(type('', 'pods'), 'app').filter((p) => cond(p, 'Ready')?.status === 'True')).toHaveLength(1);
  });

  it('crash-loop (namespace knob): Running but never Ready, BackOff warnings', async () => {
    start();
    scenarios.setNamespaceScenario('app', 'crash-loop');
    store.create(type('apps', 'deployments'), deployment('api', 'api:1', { replicas: 1 }));
    const pod = await until(() =>
      store
        .list(type('', 'pods'), 'app')
        .find((p) => status(p).containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'),
    );
    expect(status(pod)).toMatchObject({
      phase: 'Running',
      containerStatuses: [{ ready: false, restartCount: 1, lastState: { terminated: { exitCode: 1 } } }],
    });
    await until(() =>
      store.list(type('', 'events'), 'app').find((e) => e.type === 'Warning' && e.reason === 'BackOff'),
    );
    expect(kstatusCurrent(get('apps', 'deployments', 'api'))).toBe(false);
  });

  it('slow: pods run but become Ready only after several container-start delays', async () => {
    start(20);
    store.create(
      type('apps', 'deployments'),
      deployment('slow', 'nginx:1.25', { replicas: 1, annotations: { [SCENARIO_ANNOTATION]: 'slow' } }),
    );
    const started = Date.now();
    const running = await until(() => store.list(type('', 'pods'), 'app').find((p) => status(p).phase === 'Running'));
    expect(cond(running, 'Ready')?.status).toBe('False');
    expect(status(running).containerStatuses[0]).toMatchObject({ started: true, ready: false, state: { running: {} } });
    await until(() => kstatusCurrent(get('apps', 'deployments', 'slow')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 20);
  });

  it('StatefulSet with claims, DaemonSet, Job, Service and PDB reach the states the waiters want', async () => {
    start();
    store.create(type('apps', 'statefulsets'), {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'app' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    store.create(type('apps', 'daemonsets'), {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'app' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
      },
    });
    store.create(type('batch', 'jobs'), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'seed', namespace: 'app' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'seed', image: 'seed:1' }] } } },
    });
    store.create(type('policy', 'poddisruptionbudgets'), {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'db', namespace: 'app' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    });
    const sts = await until(() => {
      const x = get('apps', 'statefulsets', 'db');
      const s = status(x);
      return s.readyReplicas === 2 && s.currentReplicas === 2 && s.updatedReplicas === 2 && x;
    });
    expect(status(sts).currentRevision).toBe(status(sts).updateRevision);
    expect(status(sts).observedGeneration).toBe(1);
    expect(
      store
        .list(type('', 'pods'), 'app')
        .filter((p) => p.metadata.name.startsWith('db-'))
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['db-0', 'db-1']);
    const pvc = await until(() => {
      const x = get('', 'persistentvolumeclaims', 'data-db-1');
      return status(x).phase === 'Bound' && x;
    });
    expect(status(pvc).capacity).toEqual({ storage: '1Gi' });
    const ds = await until(() => {
      const x = get('apps', 'daemonsets', 'agent');
      return status(x).numberReady === 1 && x;
    });
    expect(status(ds)).toMatchObject({
      desiredNumberScheduled: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      observedGeneration: 1,
    });
    const job = await until(() => {
      const x = get('batch', 'jobs', 'seed');
      return cond(x, 'Complete')?.status === 'True' && x;
    });
    expect(status(job)).toMatchObject({ succeeded: 1, completionTime: expect.any(String) });
    expect(cond(job, 'SuccessCriteriaMet')?.status).toBe('True');
    const pdb = await until(() => {
      const x = get('policy', 'poddisruptionbudgets', 'db');
      return status(x).currentHealthy === 2 && x;
    });
    expect(status(pdb)).toMatchObject({
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 2,
      observedGeneration: 1,
    });
  });

  it('job-fails: pods fail until backoffLimit, then Failed=True BackoffLimitExceeded', async () => {
    start();
    store.create(type('batch', 'jobs'), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'seed', namespace: 'app', annotations: { [SCENARIO_ANNOTATION]: 'job-fails' } },
      spec: {
        backoffLimit: 1,
        template: {
          metadata: { annotations: { [SCENARIO_ANNOTATION]: 'job-fails' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'seed', image: 'seed:1' }] },
        },
      },
    });
    const job = await until(() => {
      const x = get('batch', 'jobs', 'seed');
      return cond(x, 'Failed')?.status === 'True' && x;
    });
    expect(cond(job, 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(status(job).failed).toBe(2);
    expect(store.list(type('', 'pods'), 'app').map((p) => status(p).phase)).toEqual(['Failed', 'Failed']);
  });

  it('a bare pod that does not restart runs to completion (helm test hooks); job-fails makes it fail', async () => {
    start();
    const bare = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'app', annotations },
      spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'curl:8' }] },
    });
    store.create(type('', 'pods'), bare('ok'));
    store.create(type('', 'pods'), bare('bad', { [SCENARIO_ANNOTATION]: 'job-fails' }));
    store.create(type('', 'pods'), { ...bare('server'), spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    await until(
      () =>
        status(get('', 'pods', 'ok')).phase === 'Succeeded' &&
        status(get('', 'pods', 'bad')).phase === 'Failed' &&
        status(get('', 'pods', 'server')).phase === 'Running',
    );
    expect(status(get('', 'pods', 'ok')).containerStatuses[0].state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(status(get('', 'pods', 'bad')).containerStatuses[0].state.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
    });
  });

  it('deleting a Deployment collects its ReplicaSets and Pods; Orphan leaves them without the owner', async () => {
    start();
    store.create(type('apps', 'deployments'), deployment('web', 'nginx:1.25'));
    await until(() => kstatusCurrent(get('apps', 'deployments', 'web')));
    deleteObject({ store }, type('apps', 'deployments'), 'app', 'web', {});
    expect(store.list(type('apps', 'replicasets'), 'app')).toEqual([]);
    expect(store.list(type('', 'pods'), 'app')).toEqual([]);

    store.create(type('apps', 'deployments'), deployment('keep', 'nginx:1.25', { replicas: 1 }));
    await until(() => kstatusCurrent(get('apps', 'deployments', 'keep')));
    deleteObject({ store }, type('apps', 'deployments'), 'app', 'keep', { propagationPolicy: 'Orphan' });
    const [rs] = store.list(type('apps', 'replicasets'), 'app');
    expect(rs.metadata.ownerReferences).toBeUndefined();
    expect(store.list(type('', 'pods'), 'app')).toHaveLength(1);

    // Re-created with the same template, the Deployment adopts the orphan instead of colliding with its name.
    const again = store.create(type('apps', 'deployments'), deployment('keep', 'nginx:1.25', { replicas: 1 }));
    await until(() => kstatusCurrent(get('apps', 'deployments', 'keep')));
    const rss = store.list(type('apps', 'replicasets'), 'app');
    expect(rss.map((x) => x.metadata.name)).toEqual([rs.metadata.name]);
    expect(rss[0].metadata.ownerReferences?.[0].uid).toBe(again.metadata.uid);
  });

  it('quota: a pod over the ResourceQuota is refused with the real message, reported as FailedCreate on the ReplicaSet', async () => {
    start();
    store.create(type('', 'resourcequotas'), {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: 'app' },
      spec: { hard: { pods: '1', 'count/deployments.apps': '5' } },
    });
    store.create(type('apps', 'deployments'), deployment('web', 'nginx:1.25', { replicas: 2 }));
    const ev = await until(() => store.list(type('', 'events'), 'app').find((e) => e.reason === 'FailedCreate'));
    expect(ev).toMatchObject({ type: 'Warning', involvedObject: { kind: 'ReplicaSet' } });
    expect(ev.message).toMatch(
      /^Error creating: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1$/,
    );
    const q = await until(() => {
      const x = get('', 'resourcequotas', 'compute');
      return status(x).used?.pods === '1' && x;
    });
    expect(status(q)).toEqual({
      hard: { pods: '1', 'count/deployments.apps': '5' },
      used: { pods: '1', 'count/deployments.apps': '1' },
    });
  });
});
