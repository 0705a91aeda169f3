/**
 * The ingress stand-in enforces the ingress-nginx access annotations it serves (issue 16 part 2):
 * basic auth against the referenced Secret's htpasswd data, source ranges, and external auth
 * through auth-url / auth-signin. Requests go through the proxy from a Node 24 child, as
 * wait-ready's do.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htpasswdLine } from '@preview-fleet/core';
import { startIngress, type IngressStandIn } from '../../src/ingress/index.js';
import { startKube, type KubeStandIn } from '../../src/kube/index.js';
import { node24Path } from '../../src/tools.js';

function fetchThrough(env: Record<string, string>, url: string, headers: Record<string, string> = {}): Promise<string> {
  const code = `fetch(${JSON.stringify(url)}, { redirect: 'manual', headers: ${JSON.stringify(headers)} }).then(async r => console.log(r.status, r.headers.get('www-authenticate') ?? r.headers.get('location') ?? '-', (await r.text()).replace(/\\s+/g, " ").slice(0, 120))).catch(e => console.log('error', e.cause?.message ?? e.message))`;
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

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
const NS = 'preview-pr-7';
const N = 'nginx.ingress.kubernetes.io/';

describe('ingress stand-in: access annotations', () => {
  let kube: KubeStandIn;
  let ingress: IngressStandIn;
  let auth: Server;
  let authUrl = '';
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const t = (kind: string) => kube.store.types.byKind(kind)!;
  const url = (name: string) => `https://${name}.preview.sandbox.test/private?x=1`;

  function ingressFor(name: string, annotations: Record<string, string>) {
    kube.store.create(t('Ingress'), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: NS, annotations },
      spec: {
        rules: [
          {
            host: `${name}.preview.sandbox.test`,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
  }

  beforeAll(async () => {
    auth = createServer((req, res) => {
      seen.push(req.headers);
      res
        .writeHead(
          req.headers.authorization === 'Bearer good'
            ? 202
            : req.headers.authorization === 'Bearer forbidden'
              ? 403
              : 401,
        )
        .end();
    });
    await new Promise<void>((r) => auth.listen(0, '127.0.0.1', r));
    authUrl = `http://127.0.0.1:${(auth.address() as AddressInfo).port}/oauth2/auth`;
    kube = await startKube({ controllerDelayMs: 10 });
    ingress = await startIngress({ store: kube.store });
    kube.store.create(t('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    kube.store.create(t('Service'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: NS },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    kube.store.create(t('Secret'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'basic', namespace: NS },
      type: 'Opaque',
      data: { auth: b64(`${htpasswdLine('preview', 'open-sesame-42')}\nops:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n`) },
    });
    kube.store.create(t('Secret'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'map', namespace: NS },
      type: 'Opaque',
      data: { alice: b64('$apr1$xy$94JxxwMvxqQwA3Iid6OL9.') },
    });
    ingressFor('basic', {
      [`${N}auth-type`]: 'basic',
      [`${N}auth-secret`]: 'basic',
      [`${N}auth-realm`]: 'Preview web-pr-7',
    });
    ingressFor('map', {
      [`${N}auth-type`]: 'basic',
      [`${N}auth-secret`]: `${NS}/map`,
      [`${N}auth-secret-type`]: 'auth-map',
    });
    ingressFor('nosecret', { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'missing' });
    ingressFor('lan', { [`${N}whitelist-source-range`]: '10.0.0.0/8, 192.168.0.0/16' });
    ingressFor('loop', { [`${N}whitelist-source-range`]: '10.0.0.0/8,127.0.0.1/32' });
    ingressFor('sso', { [`${N}auth-url`]: authUrl });
    ingressFor('sso-signin', {
      [`${N}auth-url`]: authUrl,
      [`${N}auth-signin`]: 'https://login.example.com/oauth2/start',
    });
    const ready = new Promise<void>((resolve) => {
      const off = kube.store.subscribe((e) => {
        const conditions =
          (e.object.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
        if (e.object.kind === 'Pod' && conditions.some((c) => c.type === 'Ready' && c.status === 'True')) {
          off();
          resolve();
        }
      });
    });
    kube.store.create(t('Pod'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: NS, labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'x' }] },
    });
    await ready;
  });
  afterAll(async () => {
    await ingress?.stop();
    await kube?.stop();
    auth?.close();
  });

  it('basic auth (auth-file): 401 with the realm without or with wrong credentials, 200 with them ($apr1$ and {SHA})', async () => {
    expect(await fetchThrough(ingress.env, url('basic'))).toBe(
      '401 Basic realm="Preview web-pr-7" 401 Authorization Required',
    );
    expect(await fetchThrough(ingress.env, url('basic'), basic('preview', 'wrong'))).toMatch(/^401 /);
    expect(await fetchThrough(ingress.env, url('basic'), basic('nobody', 'open-sesame-42'))).toMatch(/^401 /);
    expect(await fetchThrough(ingress.env, url('basic'), basic('preview', 'open-sesame-42'))).toMatch(
      /^200 .*preview-pr-7\/app/,
    );
    expect(await fetchThrough(ingress.env, url('basic'), basic('ops', 'secret'))).toMatch(/^200 /);
  });

  it('basic auth (auth-map, namespace/name reference); a missing secret fails closed', async () => {
    expect(await fetchThrough(ingress.env, url('map'), basic('alice', 'secret'))).toMatch(/^200 /);
    expect(await fetchThrough(ingress.env, url('map'), basic('alice', 'nope'))).toMatch(/^401 /);
    expect(await fetchThrough(ingress.env, url('nosecret'), basic('alice', 'secret'))).toMatch(
      /^503 .*auth-secret preview-pr-7\/missing not found/,
    );
  });

  it('whitelist-source-range: 403 for a client outside the ranges, 200 inside', async () => {
    expect(await fetchThrough(ingress.env, url('lan'))).toMatch(/^403 /);
    expect(await fetchThrough(ingress.env, url('loop'))).toMatch(/^200 /);
  });

  it("auth-url: the subrequest carries the client's headers and the original URL; 2xx passes, 401/403 refuse", async () => {
    expect(await fetchThrough(ingress.env, url('sso'))).toMatch(/^401 /);
    expect(await fetchThrough(ingress.env, url('sso'), { authorization: 'Bearer forbidden' })).toMatch(/^403 /);
    expect(await fetchThrough(ingress.env, url('sso'), { authorization: 'Bearer good' })).toMatch(/^200 /);
    expect(seen.at(-1)).toMatchObject({
      'x-original-url': url('sso'),
      'x-original-method': 'GET',
      authorization: 'Bearer good',
    });
  });

  it('auth-signin: an unauthenticated request is redirected to sign in with rd=<original URL>', async () => {
    const out = await fetchThrough(ingress.env, url('sso-signin'));
    expect(out).toBe(`302 https://login.example.com/oauth2/start?rd=${encodeURIComponent(url('sso-signin'))} `.trim());
    expect(await fetchThrough(ingress.env, url('sso-signin'), { authorization: 'Bearer good' })).toMatch(/^200 /);
  });
});
