/**
 * The example chart's scale-to-zero (issue 19 §1) in the sandbox with the KEDA HTTP add-on model,
 * driven by the real Helm 3 and Helm 4: installed with `--wait`, put to sleep by KEDA (manual
 * clock past scaledownPeriod), upgraded to a new image while asleep — the upgrade's wait does not
 * wait on the replicas KEDA holds at 0 and does not wake the app — and the first request wakes
 * the new version with 200.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { ManualClock } from '@preview-fleet/sandbox/keda';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';

const run = promisify(execFile);
const chart = join(repoRoot, 'workflows-examples', 'charts', 'preview');

describe.each([
  ['helm 3', 'v31', 3],
  ['helm 4', 'v34', 4],
] as const)('example chart asleep under the KEDA HTTP add-on, %s', (_name, set, n) => {
  const clock = new ManualClock();
  let sandbox: Sandbox;
  let home: string;
  const ns = `preview-pr-5${n}`;
  const release = `app-pr-5${n}`;
  const host = () => `${release}.${sandbox.ingress!.domain}`;
  const store = () => sandbox.kube!.store;
  const replicas = () =>
    (store().get(store().types.byKind('Deployment')!, ns, release)?.spec as { replicas?: number }).replicas;
  const appPods = () =>
    store()
      .list(store().types.byKind('Pod')!, ns)
      .filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'app');
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      if (check()) return resolve();
      const off = store().subscribe(() => {
        if (check()) {
          off();
          resolve();
        }
      });
    });
  const helm = (...args: string[]) =>
    run(toolPaths()[set].helm, [...args, '--namespace', ns, '--wait', '--timeout', '60s'], {
      env: { ...process.env, ...sandbox.env, HOME: home },
    });
  const values = (tag: string) => [
    '--set',
    `ingress.host=${host()}`,
    '--set',
    'auth.mode=none',
    '--set',
    'seed.enabled=false',
    '--set',
    `image.tag=${tag}`,
  ];

  beforeAll(async () => {
    sandbox = await startSandbox({ only: ['kube'], controllerDelayMs: 100, keda: { clock } });
    home = mkdtempSync(join(tmpdir(), 'pf-chart-keda-'));
  });
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('installs awake, sleeps after scaledownPeriod, upgrades asleep without waking, and wakes the new version on the first request', async () => {
    await helm('install', release, chart, '--create-namespace', ...values('1'));
    expect(store().list(store().types.byKind('HTTPScaledObject')!, ns)).toHaveLength(1);
    expect(replicas()).toBe(1);

    clock.advance(1830_000);
    expect(replicas()).toBe(0);
    await until(() => appPods().length === 0);

    await helm('upgrade', release, chart, ...values('2'));
    expect(replicas()).toBe(0); // no replicas field in the chart: KEDA's count survives the upgrade
    expect(appPods()).toHaveLength(0);
    expect(sandbox.keda!.wakes()).toHaveLength(0);

    const proxy = new URL(sandbox.ingress!.proxyUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: proxy.hostname, port: proxy.port, path: `http://${host()}/`, headers: { host: host() } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(replicas()).toBe(1);
    expect(appPods().map((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image)).toEqual([
      'public.ecr.aws/nginx/nginx:2',
    ]);
  });
});
