/**
 * wait-ready bundled, runner-style, against a preview the KEDA HTTP add-on put to sleep (issue 19):
 * the sandbox's kube + ingress + add-on model, real kubectl. At 0 replicas the rollout is not
 * waited on; the probe is the warm-up request through the interceptor that wakes it (state
 * ready), and with warm-up false (or no url) it is reported sleeping — never failed or missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { ManualClock } from '@preview-fleet/sandbox/keda';
import type { KubeObject } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';

const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const NS = 'preview-pr-41';
const HOST = 'app-pr-41.preview.sandbox.test';
let sandbox: Sandbox;
let home: string;
const clock = new ManualClock();

const t = (kind: string) => sandbox.kube!.store.types.byKind(kind)!;
const replicas = () => (sandbox.kube!.store.get(t('Deployment'), NS, 'app')?.spec as { replicas?: number }).replicas;

beforeAll(async () => {
  sandbox = await startSandbox({ only: ['kube'], controllerDelayMs: 100, keda: { clock } });
  home = mkdtempSync(join(tmpdir(), 'pf-sleep-home-'));
  const labels = { app: 'app' };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: NS, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:2' }] } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: NS },
      spec: { selector: labels, ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app-interceptor', namespace: NS },
      spec: { type: 'ExternalName', externalName: 'keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'app', namespace: NS },
      spec: {
        rules: [
          {
            host: HOST,
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
    },
    {
      apiVersion: 'http.keda.sh/v1alpha1',
      kind: 'HTTPScaledObject',
      metadata: { name: 'app', namespace: NS },
      spec: {
        hosts: [HOST],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', service: 'app', port: 80 },
        replicas: { min: 0, max: 2 },
        scaledownPeriod: 1800,
      },
    },
  ];
  for (const o of objects) sandbox.kube!.store.create(t(o.kind), o);
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: { namespace: NS, timeout: '1m', ...inputs },
    env: {
      ...sandbox.env,
      PATH: `${dirname(toolPaths().v34.kubectl)}:${process.env.PATH ?? ''}`,
      HOME: home,
    },
    timeoutMs: 90_000,
  });
}

describe('wait-ready with a preview the KEDA HTTP add-on scaled to zero (bundled, runner-style)', () => {
  it('warm-up (default): after a deploy while asleep, the probe through the interceptor wakes the app and proves the new version: ready, state ready', async () => {
    expect(replicas()).toBe(0);
    // A deploy while asleep: the new version is in the template and runs nowhere yet.
    const store = sandbox.kube!.store;
    const d = store.get(t('Deployment'), NS, 'app')!;
    const spec = d.spec as { template: { spec: { containers: Array<{ image: string }> } } };
    spec.template.spec.containers[0]!.image = 'app:3';
    store.update(t('Deployment'), d);
    const r = await run({ url: `https://${HOST}/` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ ready: 'true', state: 'ready' });
    expect(sandbox.keda!.wakes()).toMatchObject([{ host: HOST, status: 200 }]);
    expect(replicas()).toBe(1);
    // The warm-up was answered by a pod of the new version.
    const images = store
      .list(t('Pod'), NS)
      .map((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image);
    expect(images).toEqual(['app:3']);
    expect(r.stdout).toMatch(/asleep at 0 replicas \(KEDA HTTP add-on\): deployments\/app/);
    expect(r.stdout).toMatch(/warm-up woke deployments\/app through the KEDA interceptor: HTTP 200/);
  });

  it('asleep again after scaledownPeriod: warm-up false, or no url, reports state sleeping (ready, not failed) and wakes nothing', async () => {
    clock.advance(1830_000);
    expect(replicas()).toBe(0);
    const cases: Array<Record<string, string>> = [{ url: `https://${HOST}/`, 'warm-up': 'false' }, {}];
    for (const inputs of cases) {
      const r = await run(inputs);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.outputs).toMatchObject({ ready: 'true', state: 'sleeping' });
      expect(r.summary).toContain('💤 sleeping — wakes on the first request');
    }
    expect(sandbox.keda!.wakes()).toHaveLength(1);
    expect(replicas()).toBe(0);
  });
});
