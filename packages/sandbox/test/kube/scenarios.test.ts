import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../src/http/server.js';
import { ApiError } from '../../src/kube/server/errors.js';
import { parseQuantity, quotaUsage, Scenarios, SCENARIO_ANNOTATION } from '../../src/kube/scenarios.js';
import { ObjectStore, type KubeObject, type ResourceType } from '../../src/kube/storage/store.js';

const store = new ObjectStore();
const t = (g: string, r: string): ResourceType => store.types.all().find((x) => x.group === g && x.resource === r)!;
store.create(t('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });

const pod = (name: string, cpu?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'app' },
  spec: {
    containers: [{ name: 'c', image: 'x', ...(cpu ? { resources: { requests: { cpu, memory: '64Mi' } } } : {}) }],
  },
});

function denial(fn: () => void): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a denial');
}

describe('Scenarios', () => {
  it('an object annotation wins over its pod template and the namespace knob', () => {
    const s = new Scenarios();
    const d = (own?: string, tpl?: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'app', ...(own ? { annotations: { [SCENARIO_ANNOTATION]: own } } : {}) },
      spec: { template: { metadata: tpl ? { annotations: { [SCENARIO_ANNOTATION]: tpl } } : {} } },
    });
    expect(s.scenarioFor(d())).toBeUndefined();
    s.setNamespaceScenario('app', 'slow');
    expect(s.scenarioFor(d())).toBe('slow');
    expect(s.scenarioFor(d(undefined, 'crash-loop'))).toBe('crash-loop');
    expect(s.scenarioFor(d('image-pull-backoff', 'crash-loop'))).toBe('image-pull-backoff');
    expect(s.scenarioFor(d('not-a-scenario'))).toBe('slow');
    s.setNamespaceScenario('app', undefined);
    expect(s.scenarioFor(d())).toBeUndefined();
  });

  it('quota admission: object counts and compute requests, with the real exceeded-quota message', () => {
    const s = new Scenarios();
    store.create(t('', 'resourcequotas'), {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'fence', namespace: 'app' },
      spec: { hard: { pods: '2', 'requests.cpu': '1', 'count/deployments.apps': '0' } },
    });
    s.admitCreate(store, t('', 'pods'), pod('p1', '500m'));
    store.create(t('', 'pods'), pod('p1', '500m'));
    const cpu = denial(() => s.admitCreate(store, t('', 'pods'), pod('p2', '600m')));
    expect([cpu.code, cpu.reason]).toEqual([403, 'Forbidden']);
    expect(cpu.message).toBe(
      'pods "p2" is forbidden: exceeded quota: fence, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1',
    );
    expect(denial(() => s.admitCreate(store, t('', 'pods'), pod('p3'))).message).toBe(
      'pods "p3" is forbidden: failed quota: fence: must specify requests.cpu',
    );
    const dep = denial(() =>
      s.admitCreate(store, t('apps', 'deployments'), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'app' },
      }),
    );
    expect(dep.message).toBe(
      'deployments.apps "web" is forbidden: exceeded quota: fence, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
    );
    expect(quotaUsage(store, 'app', { pods: '2', 'requests.cpu': '1', 'count/deployments.apps': '0' })).toEqual({
      pods: '1',
      'requests.cpu': '500m',
      'count/deployments.apps': '0',
    });

    s.denyCreates('app', { resource: 'configmaps', quotaName: 'tight' });
    expect(
      denial(() =>
        s.admitCreate(store, t('', 'configmaps'), {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c', namespace: 'app' },
        }),
      ).message,
    ).toBe(
      'configmaps "c" is forbidden: exceeded quota: tight, requested: configmaps=1, used: configmaps=0, limited: configmaps=0',
    );
    s.allowCreates('app');
    s.admitCreate(store, t('', 'configmaps'), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'app' },
    });
  });

  it('parses Kubernetes quantities', () => {
    expect([
      parseQuantity('500m'),
      parseQuantity('2'),
      parseQuantity('1Gi'),
      parseQuantity('1k'),
      parseQuantity(3),
    ]).toEqual([0.5, 2, 1024 ** 3, 1000, 3]);
    expect(parseQuantity('nonsense')).toBeNaN();
  });
});

describe('Scenarios faults through a server', () => {
  const scenarios = new Scenarios({ sleep: async (ms) => void slept.push(ms) });
  const slept: number[] = [];
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer(async (req, res) => {
      if (await scenarios.applyFault(req, res)) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  afterAll(async () => server.close());

  it('429 carries Retry-After and a TooManyRequests Status; 500 an InternalError; a fault matches method, path and watch, for its number of times', async () => {
    scenarios.injectFault({ method: 'GET', pathPattern: /\/pods$/, status: 429, retryAfterSeconds: 2, times: 1 });
    scenarios.injectFault({ method: 'DELETE', status: 500, times: 1 });
    scenarios.injectFault({ watch: true, latencyMs: 250, times: 1 });
    const r1 = await fetch(`${server.url}/api/v1/namespaces/app/pods`);
    expect([r1.status, r1.headers.get('retry-after')]).toEqual([429, '2']);
    expect(await r1.json()).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      code: 429,
      details: { retryAfterSeconds: 2 },
    });
    expect((await fetch(`${server.url}/api/v1/namespaces/app/pods`)).status).toBe(200);
    const r2 = await fetch(`${server.url}/api/v1/namespaces/app/pods/x`, { method: 'DELETE' });
    expect([r2.status, ((await r2.json()) as { message: string }).message]).toEqual([
      500,
      'Internal error occurred: injected fault',
    ]);
    expect((await fetch(`${server.url}/api/v1/pods?watch=true`)).status).toBe(200);
    expect(slept).toEqual([250]);
    expect(scenarios.firedFaults.map((f) => `${f.method} ${f.action}`)).toEqual([
      'GET 429',
      'DELETE 500',
      'GET latency',
    ]);
    scenarios.clearFaults();
  });

  it('a reset fault cuts the connection without serving (ECONNRESET); the next request is served', async () => {
    scenarios.injectFault({ method: 'PATCH', pathPattern: /\/deployments\/web$/, reset: true, times: 1 });
    const url = `${server.url}/apis/apps/v1/namespaces/app/deployments/web`;
    const err = (await fetch(url, { method: 'PATCH' }).catch((e: unknown) => e)) as Error & {
      cause?: { code?: string };
    };
    expect(err).toBeInstanceOf(Error);
    expect(err.cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect((await fetch(url, { method: 'PATCH' })).status).toBe(200);
    expect(scenarios.firedFaults.at(-1)).toEqual({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/app/deployments/web',
      action: 'reset',
    });
    scenarios.clearFaults();
  });
});
