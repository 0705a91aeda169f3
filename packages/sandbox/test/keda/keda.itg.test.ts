/**
 * The KEDA HTTP add-on model behind the ingress stand-in (issue 19 §1): a preview at 0 replicas
 * answers its first request with 200 (held, scaled, forwarded — never an error), sleeps again
 * after scaledownPeriod on a manual clock, and answers 502 only once conditionWait has passed.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startIngress, type IngressStandIn } from '../../src/ingress/index.js';
import { startKube, type KubeObject, type KubeStandIn } from '../../src/kube/index.js';
import { ManualClock, startKedaHttpAddOn, type KedaHttpAddOn } from '../../src/keda/index.js';
import { node24Path } from '../../src/tools.js';

/** fetch() in a Node 24 child with the ingress env, as wait-ready runs: "status body" or "error …". */
function fetchThrough(env: Record<string, string>, url: string): Promise<string> {
  const code = `fetch(${JSON.stringify(url)}).then(async r => console.log(r.status, (await r.text()).replace(/\\s+/g, " ").slice(0, 200))).catch(e => console.log('error', e.cause?.message ?? e.message))`;
  return new Promise((resolve, reject) => {
    const child = spawn(node24Path(), ['-e', code], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

describe('KEDA HTTP add-on model: scale from zero on the first request, back to zero when idle', () => {
  let kube: KubeStandIn;
  let ingress: IngressStandIn;
  let keda: KedaHttpAddOn;
  const clock = new ManualClock();
  const t = (kind: string) => kube.store.types.byKind(kind)!;
  const replicas = (ns: string, name: string) =>
    (kube.store.get(t('Deployment'), ns, name)?.spec as { replicas?: number }).replicas;
  const readyPods = (ns: string) =>
    kube.store
      .list(t('Pod'), ns)
      .filter((p) =>
        ((p.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []).some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
      ).length;

  /** What the example chart renders for one sleeping preview, written straight to the store. */
  function preview(n: number, opts: { scenario?: string; conditionWait?: string } = {}): string {
    const ns = `preview-pr-${n}`;
    const host = `app-pr-${n}.preview.sandbox.test`;
    const labels = { app: `app-${n}` };
    const create = (o: KubeObject) => kube.store.create(t(o.kind), o);
    create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'app',
        namespace: ns,
        ...(opts.scenario ? { annotations: { 'sandbox.preview-fleet.dev/scenario': opts.scenario } } : {}),
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
      },
    });
    create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: ns },
      spec: { selector: labels, ports: [{ name: 'http', port: 80 }] },
    });
    create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app-interceptor', namespace: ns },
      spec: { type: 'ExternalName', externalName: 'keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local' },
    });
    create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'app', namespace: ns },
      spec: {
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-interceptor', port: { number: 8080 } } },
                },
              ],
            },
          },
        ],
      },
    });
    create({
      apiVersion: 'http.keda.sh/v1alpha1',
      kind: 'HTTPScaledObject',
      metadata: { name: 'app', namespace: ns },
      spec: {
        hosts: [host],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', service: 'app', port: 80 },
        replicas: { min: 0, max: 2 },
        scaledownPeriod: 1800,
        ...(opts.conditionWait ? { timeouts: { conditionWait: opts.conditionWait } } : {}),
      },
    });
    return host;
  }

  beforeAll(async () => {
    kube = await startKube({ controllerDelayMs: 50 });
    keda = startKedaHttpAddOn(kube.store, { clock, pollingIntervalMs: 30_000 });
    ingress = await startIngress({ store: kube.store, keda });
  });
  afterAll(async () => {
    keda?.stop();
    await ingress?.stop();
    await kube?.stop();
  });

  it('holds the first request to a preview at 0 replicas, scales it to 1, forwards once a pod is Ready: 200, no error', async () => {
    const host = preview(1);
    expect(replicas('preview-pr-1', 'app')).toBe(0);
    expect(await fetchThrough(ingress.env, `https://${host}/`)).toMatch(/^200 .*preview-pr-1\/app \(1 ready\)/);
    expect(replicas('preview-pr-1', 'app')).toBe(1);
    const [wake] = keda.wakes();
    expect(wake).toMatchObject({ host, namespace: 'preview-pr-1', workload: 'app', status: 200 });
    expect(wake!.podReadyMs).toBeGreaterThan(0);
    expect(ingress.hits().map((h) => h.status)).toEqual([200]);
    // Awake, the next request is forwarded at once (no second wake).
    expect(await fetchThrough(ingress.env, `https://${host}/`)).toMatch(/^200 /);
    expect(keda.wakes()).toHaveLength(1);
  });

  it('sleeps again after scaledownPeriod without requests (manual clock), and wakes again on the next one', async () => {
    const host = 'app-pr-1.preview.sandbox.test';
    clock.advance(1799_000);
    keda.poll();
    expect(replicas('preview-pr-1', 'app')).toBe(1);
    clock.advance(31_000); // the next KEDA poll after 1800 s idle
    expect(replicas('preview-pr-1', 'app')).toBe(0);
    expect(keda.scalings().map((s) => s.replicas)).toEqual([1, 0]);
    await vi.waitFor(() => expect(readyPods('preview-pr-1')).toBe(0), { timeout: 5000, interval: 20 });
    expect(await fetchThrough(ingress.env, `https://${host}/`)).toMatch(/^200 /);
    expect(keda.wakes().map((w) => w.status)).toEqual([200, 200]);
  });

  it("answers 502 only after the object's conditionWait when no pod becomes Ready (crash-loop)", async () => {
    const host = preview(2, { scenario: 'crash-loop', conditionWait: '45s' });
    const answer = fetchThrough(ingress.env, `https://${host}/`);
    await vi.waitFor(() => expect(keda.held()).toBe(1), { timeout: 5000, interval: 20 });
    clock.advance(44_000);
    expect(keda.held()).toBe(1); // still held: no early error
    clock.advance(1_000);
    expect(await answer).toMatch(/^502 .*waiting for workload/);
    expect(replicas('preview-pr-2', 'app')).toBe(1);
  });

  it("a host no HTTPScaledObject routes is the interceptor's 404", async () => {
    expect(await keda.intercept('nobody.preview.sandbox.test', '/', () => ({ status: 200, body: '' }))).toMatchObject({
      status: 404,
    });
  });
});
