/**
 * What wait-ready, teardown and the reaper do with kubectl, through the real kubectl 1.31 and
 * 1.34 against the stand-in and its controllers: rollout status, label-selected gets, label /
 * annotate, server-side apply, Warning events of a never-ready rollout, and namespace deletion
 * with --wait (twice, and one held by a finalizer).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_ANNOTATION } from '../../src/kube/scenarios.js';
import { openWatchCount } from '../../src/kube/verbs/watch.js';
import type { KubeObject } from '../../src/kube/storage/store.js';
import { toolPaths } from '../../src/tools.js';
import { condition, startCluster, status, type Cluster, type Run } from './harness.js';

const tools = toolPaths();
/** Leaves a case out of a version's run entirely (not reported as skipped). */
const noTest = (_name: string, _fn: () => Promise<void>): void => undefined;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(50);
});
afterAll(async () => {
  expect(cluster.controllerErrors()).toEqual([]);
  await cluster.stop();
});

const deployment = (ns: string, name: string, image: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    replicas: 2,
    strategy: { rollingUpdate: { maxUnavailable: 0 } },
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, tier: 'front' }, annotations },
      spec: { containers: [{ name: 'main', image }] },
    },
  },
});

// kubectl 1.34 runs everything; 1.31 the waits teardown and wait-ready depend on (its label,
// annotate and server-side apply are covered in api-kubectl.itg.test.ts), to keep the kube set short.
describe.each([
  ['1.31', tools.v31.kubectl, false],
  ['1.34', tools.v34.kubectl, true],
])('kubectl %s', (version, bin, full) => {
  const ns = `life-${version.replace('.', '')}`;
  let home: string;
  const kubectl = (...args: string[]): Promise<Run> => cluster.run(bin, args, home);
  const manifest = (o: unknown): string => {
    const p = join(home, `m-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, JSON.stringify(o));
    return p;
  };

  beforeAll(() => {
    home = cluster.home();
  });

  it('rollout status follows a Deployment until every replica is available; get -l … -o json sees its pods', async () => {
    expect((await kubectl('create', 'namespace', ns)).code).toBe(0);
    const applied = await kubectl('apply', '-f', manifest(deployment(ns, 'web', 'nginx:1.25')));
    expect(applied).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    const rollout = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s');
    expect(rollout.stderr).toBe('');
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toContain('deployment "web" successfully rolled out');
    const pods = await kubectl('get', 'pods', '-n', ns, '-l', 'app=web,tier in (front),track!=canary', '-o', 'json');
    const items = (JSON.parse(pods.stdout) as { items: KubeObject[] }).items;
    expect(items).toHaveLength(2);
    for (const p of items) {
      expect(status(p).phase).toBe('Running');
      expect(condition(p, 'Ready')?.status).toBe('True');
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    }
    const none = await kubectl('get', 'pods', '-n', ns, '-l', '!app', '-o', 'json');
    expect(JSON.parse(none.stdout).items).toEqual([]);
  });

  (full ? it : noTest)('label / annotate --overwrite and apply --server-side roll out a new revision', async () => {
    expect((await kubectl('label', 'deployment', 'web', '-n', ns, 'preview-fleet.dev/pr=12', '--overwrite')).code).toBe(
      0,
    );
    expect((await kubectl('label', 'deployment', 'web', '-n', ns, 'preview-fleet.dev/pr=13', '--overwrite')).code).toBe(
      0,
    );
    expect(
      (
        await kubectl(
          'annotate',
          'deployment',
          'web',
          '-n',
          ns,
          'preview-fleet.dev/expires-at=2030-01-01T00:00:00Z',
          '--overwrite',
        )
      ).code,
    ).toBe(0);
    const d = cluster.get('apps', 'deployments', ns, 'web');
    expect(d?.metadata.labels?.['preview-fleet.dev/pr']).toBe('13');
    expect(d?.metadata.annotations?.['preview-fleet.dev/expires-at']).toBe('2030-01-01T00:00:00Z');
    expect(d?.metadata.generation).toBe(1);

    const ssa = await kubectl(
      'apply',
      '--server-side',
      '--field-manager=preview-fleet',
      '--force-conflicts',
      '-f',
      manifest(deployment(ns, 'web', 'nginx:1.26')),
    );
    expect(ssa).toMatchObject({ code: 0, stdout: 'deployment.apps/web serverside-applied\n' });
    const rollout = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s');
    expect(rollout.code, rollout.stderr).toBe(0);
    expect(rollout.stdout).toContain('deployment "web" successfully rolled out');
    const after = cluster.get('apps', 'deployments', ns, 'web');
    expect(after?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(status(after)).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
  });

  (full ? it : noTest)('rollout status of a StatefulSet (with a claim) and a DaemonSet', async () => {
    const labels = (app: string) => ({
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } },
    });
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        replicas: 2,
        serviceName: 'db',
        ...labels('db'),
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: labels('agent'),
    };
    expect((await kubectl('apply', '-f', manifest({ apiVersion: 'v1', kind: 'List', items: [sts, ds] }))).code).toBe(0);
    const s = await kubectl('rollout', 'status', 'statefulset/db', '-n', ns, '--timeout=30s');
    expect(s.code, s.stderr).toBe(0);
    // The apiserver defaults rollingUpdate.partition to 0, so kubectl reports the partitioned form (as on a real cluster).
    expect(s.stdout).toContain('partitioned roll out complete: 2 new pods have been updated...');
    const d = await kubectl('rollout', 'status', 'daemonset/agent', '-n', ns, '--timeout=30s');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('daemon set "agent" successfully rolled out');
    const pvcs = await kubectl('get', 'pvc', '-n', ns, '-o', 'json');
    expect(
      (JSON.parse(pvcs.stdout) as { items: KubeObject[] }).items.map((p) => `${p.metadata.name}:${status(p).phase}`),
    ).toEqual(['data-db-0:Bound', 'data-db-1:Bound']);
  });

  it('a never-ready rollout times out rollout status; get events --field-selector type=Warning -o json names the pods', async () => {
    const applied = await kubectl(
      'apply',
      '-f',
      manifest(
        deployment(ns, 'broken', 'registry.example/app:missing', { [SCENARIO_ANNOTATION]: 'image-pull-backoff' }),
      ),
    );
    expect(applied.code).toBe(0);
    const rollout = await kubectl('rollout', 'status', 'deployment/broken', '-n', ns, '--timeout=1s');
    expect(rollout.code).not.toBe(0);
    expect(rollout.stdout).toContain(
      'Waiting for deployment "broken" rollout to finish: 0 of 2 updated replicas are available...',
    );
    expect(rollout.stderr).toContain('timed out waiting for the condition');
    const events = await kubectl('get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json');
    expect(events.code, events.stderr).toBe(0);
    const items = (
      JSON.parse(events.stdout) as {
        items: Array<
          KubeObject & { involvedObject: { kind: string; name: string }; message: string; reason: string; type: string }
        >;
      }
    ).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => e.type === 'Warning')).toBe(true);
    const pulls = items.filter((e) => e.reason === 'Failed' && e.message === 'Error: ImagePullBackOff');
    expect(pulls.length).toBe(2);
    for (const e of pulls) {
      expect(e.involvedObject.kind).toBe('Pod');
      expect(e.involvedObject.name).toMatch(/^broken-[a-z0-9]+-[a-z0-9]+$/);
    }
  });

  it('delete namespace --wait --ignore-not-found waits until it is gone; the second run is a quiet success', async () => {
    const first = await kubectl('delete', 'namespace', ns, '--wait', '--ignore-not-found', '--timeout=30s');
    expect(first).toMatchObject({ code: 0, stdout: `namespace "${ns}" deleted\n` });
    expect(cluster.get('', 'namespaces', undefined, ns)).toBeUndefined();
    for (const [group, resource] of [
      ['apps', 'deployments'],
      ['apps', 'replicasets'],
      ['', 'pods'],
      ['', 'events'],
    ] as const) {
      expect(cluster.list(group, resource, ns), resource).toEqual([]);
    }
    const second = await kubectl('delete', 'namespace', ns, '--wait', '--ignore-not-found', '--timeout=30s');
    expect(second).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  (full ? it : noTest)(
    'a namespace held by a finalizer stays Terminating (the wait times out) until the finalizer is removed',
    async () => {
      const held = `${ns}-held`;
      cluster.kube.scenarios.holdNamespace(held, 'example.com/held');
      expect((await kubectl('create', 'namespace', held)).code).toBe(0);
      expect((await kubectl('create', 'configmap', 'left', '-n', held, '--from-literal=a=b')).code).toBe(0);
      const timedOut = await kubectl('delete', 'namespace', held, '--wait', '--timeout=1s');
      expect(timedOut.code).not.toBe(0);
      expect(timedOut.stderr).toMatch(/timed out waiting for the condition/);
      const got = await kubectl('get', 'namespace', held, '-o', 'json');
      const nsObj = JSON.parse(got.stdout) as KubeObject;
      expect(status(nsObj).phase).toBe('Terminating');
      expect(nsObj.metadata.finalizers).toEqual(['example.com/held']);
      expect(nsObj.metadata.deletionTimestamp).toEqual(expect.any(String));
      expect(condition(nsObj, 'NamespaceFinalizersRemaining')?.status).toBe('True');
      expect(cluster.list('', 'configmaps', held)).toEqual([]);
      const created = await kubectl('create', 'configmap', 'late', '-n', held, '--from-literal=a=b');
      expect(created.stderr).toContain(
        `unable to create new content in namespace ${held} because it is being terminated`,
      );

      const patched = await kubectl(
        'patch',
        'namespace',
        held,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      );
      expect(patched.code, patched.stderr).toBe(0);
      await cluster.until(() => cluster.get('', 'namespaces', undefined, held) === undefined);
      const again = await kubectl('delete', 'namespace', held, '--wait', '--ignore-not-found');
      expect(again).toMatchObject({ code: 0, stdout: '' });
    },
  );
});

describe('API faults (kubectl 1.34)', () => {
  const ns = 'faults';
  let home: string;
  const kubectl = (...args: string[]): Promise<Run> => cluster.run(tools.v34.kubectl, args, home);

  beforeAll(async () => {
    home = cluster.home();
    expect((await kubectl('create', 'namespace', ns)).code).toBe(0);
  });

  it('429 with Retry-After is retried by client-go; 500 fails the command with the Status message; latency is served', async () => {
    const scenarios = cluster.kube.scenarios;
    expect((await kubectl('create', 'configmap', 'cfg', '-n', ns, '--from-literal=a=b')).code).toBe(0);
    scenarios.injectFault({
      method: 'GET',
      pathPattern: /\/configmaps\/cfg$/,
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
    });
    const retried = await kubectl('get', 'configmap', 'cfg', '-n', ns, '-o', 'json');
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).data).toEqual({ a: 'b' });
    const cfgGets = cluster.kube
      .requestLog()
      .filter((e) => e.method === 'GET' && e.path === `/api/v1/namespaces/${ns}/configmaps/cfg`);
    expect(cfgGets.map((e) => e.status)).toEqual([429, 200]);

    scenarios.injectFault({ method: 'GET', pathPattern: /\/configmaps\/cfg$/, status: 500, times: 1 });
    const failed = await kubectl('get', 'configmap', 'cfg', '-n', ns, '-o', 'json');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('Internal error occurred: injected fault');

    scenarios.injectFault({ method: 'GET', pathPattern: /\/configmaps\/cfg$/, latencyMs: 300, times: 1 });
    const slow = await kubectl('get', 'configmap', 'cfg', '-n', ns, '-o', 'json');
    expect(slow.code).toBe(0);
    expect(
      cluster.kube
        .requestLog()
        .filter((e) => e.path === `/api/v1/namespaces/${ns}/configmaps/cfg`)
        .at(-1)?.ms,
    ).toBeGreaterThanOrEqual(300);
    expect(scenarios.firedFaults.map((f) => f.action)).toEqual(['429', '500', 'latency']);
  });

  it('a ResourceQuota denies a create over its hard limit with the real 403, and reports its usage', async () => {
    expect((await kubectl('create', 'quota', 'fence', '-n', ns, '--hard=configmaps=1,pods=10')).code).toBe(0);
    const denied = await kubectl('create', 'configmap', 'second', '-n', ns, '--from-literal=a=b');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'configmaps "second" is forbidden: exceeded quota: fence, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
    );
    await cluster.until(() => status(cluster.get('', 'resourcequotas', ns, 'fence')).used?.configmaps === '1');
    const q = JSON.parse((await kubectl('get', 'quota', 'fence', '-n', ns, '-o', 'json')).stdout) as KubeObject;
    expect(status(q)).toEqual({ hard: { configmaps: '1', pods: '10' }, used: { configmaps: '1', pods: '0' } });
    expect((await kubectl('delete', 'quota', 'fence', '-n', ns)).code).toBe(0);
  });

  it('a dropped watch does not lose rollout status: kubectl re-watches and sees the rollout finish', async () => {
    const scenarios = cluster.kube.scenarios;
    const p = join(home, 'stuck.json');
    writeFileSync(p, JSON.stringify(deployment(ns, 'stuck', 'nginx:1.25', { [SCENARIO_ANNOTATION]: 'crash-loop' })));
    expect((await kubectl('apply', '-f', p)).code).toBe(0);
    scenarios.injectFault({ watch: true, pathPattern: /\/deployments$/, dropAfterMs: 100, times: 1 });
    const child = cluster.spawn(
      tools.v34.kubectl,
      ['rollout', 'status', 'deployment/stuck', '-n', ns, '--timeout=60s'],
      home,
    );
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The first watch is cut; kubectl must open another one on its own.
    await expect
      .poll(() => scenarios.firedFaults.filter((f) => f.action === 'drop').length, { timeout: 20_000, interval: 50 })
      .toBe(1);
    await expect
      .poll(() => openWatchCount(cluster.kube.store), { timeout: 20_000, interval: 50 })
      .toBeGreaterThanOrEqual(1);
    // Fix the rollout: the new pods start and become ready.
    const cur = cluster.get('apps', 'deployments', ns, 'stuck')!;
    const spec = structuredClone(cur.spec) as { template: { metadata: { annotations?: Record<string, string> } } };
    spec.template.metadata.annotations = {};
    cluster.kube.store.update(cluster.kube.store.types.get('apps', 'v1', 'deployments')!, { ...cur, spec });
    expect(await exited).toBe(0);
    expect(out).toContain('deployment "stuck" successfully rolled out');
    const watches = (): number =>
      cluster.kube
        .requestLog()
        .filter((e) => e.path === `/apis/apps/v1/namespaces/${ns}/deployments` && e.query.includes('watch=true'))
        .length;
    await expect.poll(watches, { timeout: 5_000, interval: 50 }).toBeGreaterThanOrEqual(2);
  });
});
