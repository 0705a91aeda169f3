import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngress, type IngressStandIn } from '../../src/ingress/index.js';
import { startKube, type KubeStandIn } from '../../src/kube/index.js';
import { node24Path } from '../../src/tools.js';

/** fetch() in a Node 24 child with the ingress env, as wait-ready runs: status or error text. */
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

describe('ingress stand-in: wildcard DNS + ingress controller behind HTTPS_PROXY, real TLS', () => {
  let kube: KubeStandIn;
  let ingress: IngressStandIn;
  const t = (kind: string) => kube.store.types.byKind(kind)!;

  beforeAll(async () => {
    kube = await startKube({ controllerDelayMs: 50 });
    ingress = await startIngress({ store: kube.store, domain: 'preview.sandbox.test' });
    const ns = 'preview-pr-1';
    kube.store.create(t('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    kube.store.create(t('Service'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    kube.store.create(t('Ingress'), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'app', namespace: ns },
      spec: {
        rules: [
          {
            host: 'app-pr-1.preview.sandbox.test',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await ingress?.stop();
    await kube?.stop();
  });

  it('answers 503 until a backend pod is Ready, then 200, over TLS the client trusts via NODE_EXTRA_CA_CERTS', async () => {
    expect(await fetchThrough(ingress.env, 'https://app-pr-1.preview.sandbox.test/')).toMatch(/^503 /);
    // The stand-in's controllers start the pod and mark it Ready; wait for that event, not a timer.
    const ready = new Promise<void>((resolve) => {
      const off = kube.store.subscribe((e) => {
        const conditions =
          (e.object.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
        if (
          e.object.kind === 'Pod' &&
          e.object.metadata.name === 'web-1' &&
          conditions.some((c) => c.type === 'Ready' && c.status === 'True')
        ) {
          off();
          resolve();
        }
      });
    });
    kube.store.create(t('Pod'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'preview-pr-1', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'x' }] },
    });
    await ready;
    expect(await fetchThrough(ingress.env, 'https://app-pr-1.preview.sandbox.test/healthz')).toMatch(
      /^200 .*preview-pr-1\/app/,
    );
    expect(ingress.hits().map((h) => h.status)).toEqual([503, 200]);
  });

  it('a host in the domain without an Ingress gets the default backend 404; a host outside it does not resolve', async () => {
    expect(await fetchThrough(ingress.env, 'https://app-pr-99.preview.sandbox.test/')).toMatch(/^404 default backend/);
    expect(await fetchThrough(ingress.env, 'https://example.invalid/')).toMatch(/^error/);
    expect(
      ingress
        .hits()
        .slice(-2)
        .map((h) => [h.host, h.status]),
    ).toEqual([
      ['app-pr-99.preview.sandbox.test', 404],
      ['example.invalid', 502],
    ]);
  });

  it('without the CA the certificate is rejected (TLS is real), and loopback stays direct (NO_PROXY)', async () => {
    const { NODE_EXTRA_CA_CERTS: _ca, ...noCa } = ingress.env;
    expect(await fetchThrough(noCa, 'https://app-pr-1.preview.sandbox.test/')).toMatch(/^error .*certificate/i);
    expect(await fetchThrough(ingress.env, `${kube.url}/version`)).toMatch(/^200 /);
    expect(ingress.hits().some((h) => h.host.startsWith('127.0.0.1'))).toBe(false);
  });
});
