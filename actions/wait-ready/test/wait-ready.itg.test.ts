/**
 * wait-ready bundled, run as the runner runs it, with the real kubectl on PATH against the
 * Kubernetes stand-in (its controllers roll Deployments out) and a real local HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { startKube, type KubeObject, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { BAD_INPUTS as ALL_BAD_INPUTS } from './bad-inputs.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

const BAD_INPUTS = ALL_BAD_INPUTS.filter((c) => c.bundle);

const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const BYPASS = 'bypass-7f3a9c2e-secret';
const LOGIN_PASSWORD = 'login-3b9d1e7f-secret';

let kube: KubeStandIn;
let home: string;
let server: Server;
let base: string;
/** Statuses the server answers in turn (then 200); the bypass header is checked on every request. */
let answers: number[] = [];
const requests: Array<{ path: string; bypass?: string }> = [];

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 100 });
  home = mkdtempSync(join(tmpdir(), 'pf-ready-home-'));
  server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', bypass: req.headers['x-preview-bypass'] as string | undefined });
    if (req.url === '/private') {
      // A private preview: basic auth in front, as ingress-nginx answers it.
      const ok = req.headers.authorization === `Basic ${Buffer.from(`preview:${LOGIN_PASSWORD}`).toString('base64')}`;
      res
        .writeHead(ok ? 200 : 401, ok ? {} : { 'www-authenticate': 'Basic realm="Preview"' })
        .end(ok ? 'ok' : 'Authorization Required');
      return;
    }
    const status = answers.shift() ?? 200;
    res.writeHead(status).end(status === 200 ? 'ok' : 'no endpoints available for service');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await kube?.stop();
  rmSync(home, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  PATH: `${dirname(toolPaths().v34.kubectl)}:${process.env.PATH ?? ''}`,
  HOME: home,
  KUBECONFIG: kube.kubeconfigPath,
});

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runActionProcess(actionDir, { inputs, env: env(), secrets: [BYPASS], timeoutMs: 60_000 });
}

const errorOf = (r: ActionRun): string =>
  r.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

function deployment(ns: string, name: string, scenario?: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          ...(scenario ? { annotations: { 'sandbox.preview-fleet.dev/scenario': scenario } } : {}),
        },
        spec: { containers: [{ name: 'app', image: `registry.example.com/${name}:1` }] },
      },
    },
  } as KubeObject;
}

/** Resolves once `count` pods exist in `ns` (store events, no polling). */
function podsCreated(ns: string, count: number): Promise<void> {
  const pods = kube.store.types.get('', 'v1', 'pods')!;
  return new Promise((resolve) => {
    const check = (): boolean => kube.store.list(pods, ns).length >= count;
    if (check()) return resolve();
    const stop = kube.store.subscribe(() => {
      if (check()) {
        stop();
        resolve();
      }
    });
  });
}

/** Creates namespace `ns` (unless '') and the Deployments. */
function namespaceWith(ns: string, ...objects: KubeObject[]): void {
  if (ns)
    kube.store.create(kube.store.types.get('', 'v1', 'namespaces')!, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    } as KubeObject);
  for (const o of objects) kube.store.create(kube.store.types.get('apps', 'v1', 'deployments')!, o);
}

describe('wait-ready (bundled, runner-style, kube stand-in + local HTTP server)', () => {
  it('waits for every rollout, then rides the probe through 503 to 200 with the bypass header masked, then runs the smoke command', async () => {
    namespaceWith('preview-pr-31', deployment('preview-pr-31', 'web'), deployment('preview-pr-31', 'worker'));
    answers = [503, 503];
    requests.length = 0;
    const r = await run({
      namespace: 'preview-pr-31',
      url: `${base}/`,
      'health-path': '/healthz',
      timeout: '60s',
      headers: `X-Preview-Bypass: ${BYPASS}`,
      'smoke-command': `node -e "process.exit(process.env.PREVIEW_URL === '${base}' ? 0 : 3)"`,
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    expect(r.masked).toContain(BYPASS);
    expect(r.outputs).toMatchObject({ ready: 'true', 'smoke-result': 'passed', diagnostics: '' });
    expect(Number(r.outputs.elapsed)).toBeGreaterThanOrEqual(3);
    expect(requests).toEqual(Array(3).fill({ path: '/healthz', bypass: BYPASS }));
    expect(r.summary).toMatch(/\| rollout \| [\d.]+ s \| ✅ \| 2\/2 rolled out \|/);
    expect(r.summary).toMatch(
      /\| probe \| [\d.]+ s \| ✅ \| HTTP 200 after 3 attempt\(s\) \(rode through status×2\) \|/,
    );
    expect(r.summary).toMatch(/\| smoke \| [\d.]+ s \| ✅ \| passed \|/);
  });

  it('a private preview: the probe logs in with the user and password of basic-auth-secret (masked, never logged) and gates on the real 200 (issue 16 part 2)', async () => {
    namespaceWith('preview-pr-36', deployment('preview-pr-36', 'web'));
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    kube.store.create(kube.store.types.get('', 'v1', 'secrets')!, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-pr-36-basic-auth', namespace: 'preview-pr-36' },
      data: { auth: b64('preview:$apr1$unused'), user: b64('preview'), password: b64(LOGIN_PASSWORD) },
    } as KubeObject);
    requests.length = 0;
    const r = await runActionProcess(actionDir, {
      inputs: {
        namespace: 'preview-pr-36',
        url: `${base}/`,
        'health-path': '/private',
        timeout: '60s',
        'basic-auth-secret': 'web-pr-36-basic-auth',
      },
      env: env(),
      secrets: [LOGIN_PASSWORD, b64(`preview:${LOGIN_PASSWORD}`)],
      timeoutMs: 60_000,
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.ready).toBe('true');
    expect(r.masked).toContain(LOGIN_PASSWORD);
    expect(r.leaks).toEqual([]);
    expect(r.log).toContain(
      'The probe logs in as "preview" with the login in Secret preview-pr-36/web-pr-36-basic-auth',
    );
    expect(r.summary).toMatch(/\| probe \| [\d.]+ s \| ✅ \| HTTP 200 after 1 attempt/);
    expect(requests.filter((x) => x.path === '/private')).toHaveLength(1);
  });

  it('names NXDOMAIN when the host never resolves before the timeout', async () => {
    namespaceWith('preview-pr-32', deployment('preview-pr-32', 'web'));
    const r = await run({ namespace: 'preview-pr-32', url: 'http://app-pr-32.preview.invalid', timeout: '4s' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ ready: 'false', 'smoke-result': 'skipped' });
    expect(errorOf(r)).toContain(
      'http://app-pr-32.preview.invalid/ did not answer with an expected status within the timeout: NXDOMAIN: app-pr-32.preview.invalid does not resolve',
    );
    expect(r.outputs.diagnostics).toContain('NXDOMAIN');
  });

  it('rollouts that never complete fail with diagnostics naming ImagePullBackOff and the exceeded quota', async () => {
    namespaceWith('preview-pr-33');
    // Room for two pods: web's and broken's; extra's pod is refused by quota admission.
    kube.store.create(kube.store.types.get('', 'v1', 'resourcequotas')!, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'preview-fleet', namespace: 'preview-pr-33' },
      spec: { hard: { pods: '2' } },
    } as KubeObject);
    namespaceWith('', deployment('preview-pr-33', 'web'), deployment('preview-pr-33', 'broken', 'image-pull-backoff'));
    await podsCreated('preview-pr-33', 2);
    namespaceWith('', deployment('preview-pr-33', 'extra'));
    const r = await run({ namespace: 'preview-pr-33', url: `${base}/`, timeout: '5s' });
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toMatch(/2 of 3 workload\(s\) did not roll out in "preview-pr-33": deployments\/(broken|extra)/);
    expect(r.outputs.diagnostics).toContain('ImagePullBackOff');
    expect(r.outputs.diagnostics).toMatch(
      /\*\*Quota:\*\* \d+ refusal\(s\) — Error creating: pods "extra-[a-z0-9-]+" is forbidden: exceeded quota: preview-fleet/,
    );
    expect(r.outputs.ready).toBe('false');
  });

  it('waits for an Argo CD Application to have synced the head SHA and be Synced and Healthy, instead of rollouts; refuses the previous revision', async () => {
    const apps = kube.registerCustomResource({
      group: 'argoproj.io',
      version: 'v1alpha1',
      resource: 'applications',
      kind: 'Application',
      singular: 'application',
      namespaced: true,
      shortNames: ['app'],
      subresources: [],
    });
    kube.store.create(kube.store.types.get('', 'v1', 'namespaces')!, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'argocd' },
    } as KubeObject);
    const OLD = 'a'.repeat(40);
    const HEAD = 'b'.repeat(40);
    const app = (name: string, sync: string, health: string, revision: string, images: string[] = []): KubeObject =>
      ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: 'argocd' },
        spec: { project: 'default' },
        status: {
          sync: { status: sync, revision },
          summary: { images },
          health: {
            status: health,
            message: health === 'Healthy' ? undefined : 'Deployment app has timed out progressing',
          },
        },
      }) as KubeObject;
    kube.store.create(apps, app('app-pr-34', 'Synced', 'Healthy', HEAD));
    kube.store.create(apps, app('app-pr-35', 'Synced', 'Degraded', HEAD));
    // Right after a push: the previous commit is still Synced + Healthy.
    kube.store.create(
      apps,
      app('app-pr-36', 'Synced', 'Healthy', OLD, [
        `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-36:preview-${OLD}`,
      ]),
    );
    // A chart repository's revision is not the app's commit; the image tag is.
    kube.store.create(
      apps,
      app('app-pr-37', 'Synced', 'Healthy', 'c'.repeat(40), [
        `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-37:preview-${HEAD}`,
      ]),
    );
    const pr = (n: number) => ({
      event: {
        action: 'synchronize',
        number: n,
        pull_request: { number: n, state: 'open', head: { sha: HEAD, ref: 'f' }, base: { ref: 'main' }, labels: [] },
      },
    });

    const good = await runActionProcess(actionDir, {
      inputs: { 'argocd-application': 'app-pr-34', timeout: '30s' },
      env: env(),
      ...pr(34),
      timeoutMs: 60_000,
    });
    expect(good.exitCode, good.log).toBe(0);
    expect(good.summary).toMatch(/\| argocd \| [\d.]+ s \| ✅ \| Synced\/Healthy at bbbbbbbbbbbb \|/);
    const byImage = await runActionProcess(actionDir, {
      inputs: { 'argocd-application': 'app-pr-37', timeout: '30s' },
      env: env(),
      ...pr(37),
      timeoutMs: 60_000,
    });
    expect(byImage.exitCode, byImage.log).toBe(0);

    const old = await runActionProcess(actionDir, {
      inputs: { 'argocd-application': 'app-pr-36', timeout: '2s' },
      env: env(),
      ...pr(36),
      timeoutMs: 60_000,
    });
    expect(old.exitCode).toBe(1);
    expect(errorOf(old)).toContain('Argo CD Application argocd/app-pr-36 is not Synced and Healthy at bbbbbbbbbbbb');
    expect(errorOf(old)).toContain(
      'Synced/Healthy at aaaaaaaaaaaa — not yet bbbbbbbbbbbb (synced aaaaaaaaaaaa; images ',
    );
    expect(old.outputs.ready).toBe('false');

    const bad = await run({ 'argocd-application': 'argocd/app-pr-35', 'argocd-revision': HEAD, timeout: '2s' });
    expect(bad.exitCode).toBe(1);
    expect(errorOf(bad)).toContain('Argo CD Application argocd/app-pr-35 is not Synced and Healthy');
    expect(errorOf(bad)).toContain('Synced/Degraded at bbbbbbbbbbbb — Deployment app has timed out progressing');

    // No pull_request payload and no argocd-revision: refused before the cluster is asked anything.
    const before = kube.requestLog().length;
    const unknown = await run({ 'argocd-application': 'app-pr-34', timeout: '2s' });
    expectInputRejected(unknown, {
      name: 'argocd-revision missing',
      inputs: {},
      input: 'argocd-revision',
      message: /is required with argocd-application outside pull_request events/,
    });
    expect(kube.requestLog().length).toBe(before);
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs, each with one clear ::error:: and no request to the cluster`, async () => {
    const before = kube.requestLog().length;
    const runs: ActionRun[] = [];
    // Four at a time: each is a cold Node start, and nothing here touches shared state.
    for (let i = 0; i < BAD_INPUTS.length; i += 4)
      runs.push(
        ...(await Promise.all(BAD_INPUTS.slice(i, i + 4).map((c) => run({ namespace: 'preview-pr-31', ...c.inputs })))),
      );
    for (const [i, c] of BAD_INPUTS.entries()) {
      const r = runs[i]!;
      expectInputRejected(r, c);
    }
    expect(kube.requestLog().length).toBe(before);
  });
});
