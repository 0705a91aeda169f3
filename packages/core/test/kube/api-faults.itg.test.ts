/**
 * The Kubernetes API failing under the real helm 4.1 and kubectl 1.34 (found by the fault matrix,
 * issue 17 §3): a read-only helm command rides through one 503 as kubectl's reads do; what keeps
 * failing, and a delete the API refuses, names the Kubernetes API instead of only the command.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { FakeClock } from '../../src/clock.js';
import { deleteNamespace } from '../../src/kube/removal.js';
import { runHelm, type KubeTools } from '../../src/kube/tools.js';
import { newMarks, toKubeAnnotations, toKubeLabels } from '../../src/index.js';

const tools = toolPaths();
let kube: KubeStandIn;
let home: string;
let cli: KubeTools;
const clock = new FakeClock();

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 20 });
  home = mkdtempSync(join(tmpdir(), 'pf-kube-faults-'));
  const chart = join(home, 'chart');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  writeFileSync(
    join(chart, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: "1"\n',
  );
  cli = { kubectl: tools.v34.kubectl, helm: tools.v34.helm, env: { ...kube.env, HOME: home }, clock };
  await promisify(execFile)(tools.v34.helm, ['install', 'web', chart, '--namespace', 'default'], {
    env: { ...process.env, ...cli.env },
  });
});
afterAll(async () => {
  await kube?.stop();
  rmSync(home, { recursive: true, force: true });
});

const secrets = /^\/api\/v1\/namespaces\/default\/secrets$/;

describe('the Kubernetes API failing under helm and kubectl', () => {
  it('helm history rides through one 503 (a read, retried with backoff); a persistent 503 names the Kubernetes API', async () => {
    kube.scenarios.injectFault({ method: 'GET', pathPattern: secrets, status: 503, times: 1 });
    const sleeps = clock.sleeps.length;
    const r = await runHelm(cli, ['history', 'web', '--namespace', 'default', '--output', 'json']);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(clock.sleeps.length).toBe(sleeps + 1);

    kube.scenarios.injectFault({ method: 'GET', pathPattern: secrets, status: 503 });
    try {
      await expect(runHelm(cli, ['history', 'web', '--namespace', 'default', '--output', 'json'])).rejects.toThrow(
        new RegExp(`^the Kubernetes API at ${kube.url} failed: Command "\\S*helm history web`),
      );
    } finally {
      kube.scenarios.clearFaults();
    }
  });

  it('a namespace delete the API answers with a 500 fails naming the Kubernetes API; the next attempt deletes it', async () => {
    const m = newMarks({ repository: 'acme/web', pr: 4, service: 'app', now: Date.now(), ttlMs: 3_600_000 });
    kube.store.create(kube.store.types.get('', 'v1', 'namespaces')!, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'preview-pr-4', labels: toKubeLabels(m), annotations: toKubeAnnotations(m) },
    });
    kube.scenarios.injectFault({ method: 'DELETE', pathPattern: /\/namespaces\/preview-pr-4$/, status: 500, times: 1 });
    const o = { name: 'preview-pr-4', owner: { repository: 'acme/web', pr: 4 }, timeoutMs: 20_000 };
    const failed = await deleteNamespace(cli, o);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toContain(`kubectl delete failed (the Kubernetes API at ${kube.url}):`);
    expect(await deleteNamespace(cli, o)).toMatchObject({ status: 'deleted' });
  });
});
