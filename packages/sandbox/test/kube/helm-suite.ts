/**
 * One release's life through the real helm binary against the stand-in, the same story for
 * helm 3.17 and helm 4.1 (helm-3/helm-4 test files call it): install with a post-install seed
 * Job, upgrade, status/history/list, rollback, a never-ready rollout rolled back, a release
 * left pending-upgrade by a killed helm, and uninstall --wait.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPaths } from '../../src/tools.js';
import { condition, decodeRelease, releaseSecrets, startCluster, status, type Cluster, type Run } from './harness.js';

const chart = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'preview-app');

export function defineHelmSuite(major: 3 | 4): void {
  const tools = toolPaths();
  const helmBin = major === 3 ? tools.v31.helm : tools.v34.helm;
  const ns = `preview-pr-${major}`;
  const rel = `web-pr-${major}`;
  /** helm 4 renamed --atomic to --rollback-on-failure. */
  const rollbackFlag = major === 3 ? '--atomic' : '--rollback-on-failure';
  let cluster: Cluster;

  const helm = (...args: string[]): Promise<Run> => cluster.run(helmBin, args, cluster.home());
  const upgrade = (timeout: string, ...sets: string[]): Promise<Run> =>
    helm(
      'upgrade',
      '--install',
      rel,
      chart,
      '--namespace',
      ns,
      '--create-namespace',
      '--wait',
      rollbackFlag,
      '--timeout',
      timeout,
      ...sets.flatMap((s) => ['--set', s]),
    );
  const configMessage = (): unknown =>
    (cluster.get('', 'configmaps', ns, `${rel}-config`)?.data as { MESSAGE?: string } | undefined)?.MESSAGE;
  const statusesOf = (namespace: string, release: string): string[] =>
    releaseSecrets(cluster, namespace, release).map(
      (s) => `${s.metadata.labels?.version}:${s.metadata.labels?.status}`,
    );
  const statuses = (): string[] => statusesOf(ns, rel);
  const webReady = (): boolean => {
    const d = cluster.get('apps', 'deployments', ns, `${rel}-web`);
    return (
      status(d).observedGeneration === d?.metadata.generation &&
      condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
      status(d).readyReplicas === 2
    );
  };

  beforeAll(async () => {
    cluster = await startCluster(50);
  });
  afterAll(async () => {
    expect(cluster.controllerErrors()).toEqual([]);
    await cluster.stop();
  });

  describe(`helm ${major}`, () => {
    it(`upgrade --install --create-namespace --wait ${rollbackFlag}: every kind applied, workloads ready, the seed hook Job complete`, async () => {
      const r = await upgrade('60s');
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Release "${rel}" does not exist. Installing it now.`);
      expect(r.stdout).toMatch(/STATUS: deployed/);
      expect(cluster.get('', 'namespaces', undefined, ns)).toBeDefined();
      for (const [group, resource, name] of [
        ['apps', 'deployments', `${rel}-web`],
        ['apps', 'statefulsets', `${rel}-db`],
        ['', 'services', `${rel}-web`],
        ['', 'services', `${rel}-db`],
        ['networking.k8s.io', 'ingresses', rel],
        ['', 'configmaps', `${rel}-config`],
        ['', 'secrets', `${rel}-env`],
        ['', 'serviceaccounts', rel],
        ['autoscaling', 'horizontalpodautoscalers', `${rel}-web`],
        ['policy', 'poddisruptionbudgets', `${rel}-web`],
        ['networking.k8s.io', 'networkpolicies', `${rel}-fence`],
        ['', 'resourcequotas', `${rel}-quota`],
        ['batch', 'jobs', `${rel}-seed`],
      ] as const) {
        expect(cluster.get(group, resource, ns, name), `${resource}/${name}`).toBeDefined();
      }
      expect(webReady()).toBe(true);
      expect(status(cluster.get('apps', 'statefulsets', ns, `${rel}-db`))).toMatchObject({ readyReplicas: 1 });
      expect(status(cluster.get('', 'persistentvolumeclaims', ns, `data-${rel}-db-0`)).phase).toBe('Bound');
      expect(condition(cluster.get('batch', 'jobs', ns, `${rel}-seed`), 'Complete')?.status).toBe('True');
      expect(configMessage()).toBe('hello');
      expect(statuses()).toEqual(['1:deployed']);
      expect(decodeRelease(releaseSecrets(cluster, ns, rel)[0])).toMatchObject({
        name: rel,
        version: 1,
        info: { status: 'deployed' },
      });
      const watches = cluster.kube
        .requestLog()
        .filter((e) => e.userAgent.startsWith('Helm/') && e.query.includes('watch=true'));
      if (major === 4) {
        // kstatus's informers list through the watch: initial ADDED events, then the initial-events-end bookmark.
        expect(
          watches.some(
            (e) =>
              e.path === `/apis/apps/v1/namespaces/${ns}/deployments` && e.query.includes('sendInitialEvents=true'),
          ),
        ).toBe(true);
      } else {
        // helm 3 polls for --wait and watches only the hook Job, by name.
        expect(watches.map((e) => e.path)).toEqual([`/apis/batch/v1/namespaces/${ns}/jobs`]);
        expect(watches[0].query).toContain(`fieldSelector=metadata.name%3D${rel}-seed`);
      }
    });

    it('an upgrade that changes a value rolls the Deployment to a new ReplicaSet', async () => {
      const r = await upgrade('60s', 'message=changed');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Release "${rel}" has been upgraded. Happy Helming!`);
      expect(configMessage()).toBe('changed');
      expect(statuses()).toEqual(['1:superseded', '2:deployed']);
      const d = cluster.get('apps', 'deployments', ns, `${rel}-web`);
      expect(d?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      expect(webReady()).toBe(true);
      const replicaSets = cluster
        .list('apps', 'replicasets', ns)
        .map((rs) => (rs.spec as { replicas: number }).replicas)
        .sort();
      expect(replicaSets).toEqual([0, 2]);
    });

    it('status, history and list -o json tell the same story', async () => {
      const st = await helm('status', rel, '--namespace', ns, '-o', 'json');
      expect(st.code, st.stderr).toBe(0);
      expect(JSON.parse(st.stdout)).toMatchObject({
        name: rel,
        namespace: ns,
        version: 2,
        info: { status: 'deployed' },
      });
      const plain = await helm('status', rel, '--namespace', ns);
      expect(plain.stdout).toMatch(/STATUS: deployed\nREVISION: 2/);
      const history = await helm('history', rel, '--namespace', ns, '-o', 'json');
      expect(JSON.parse(history.stdout)).toMatchObject([
        { revision: 1, status: 'superseded', chart: 'preview-app-0.1.0', description: 'Install complete' },
        { revision: 2, status: 'deployed', description: 'Upgrade complete' },
      ]);
      const list = await helm('list', '--namespace', ns, '-o', 'json');
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({
          name: rel,
          namespace: ns,
          revision: '2',
          status: 'deployed',
          chart: 'preview-app-0.1.0',
        }),
      ]);
      const all = await helm('list', '--all-namespaces', '-o', 'json');
      expect((JSON.parse(all.stdout) as Array<{ name: string }>).map((x) => x.name)).toContain(rel);
    });

    it('helm test runs the smoke test Pod to completion', async () => {
      const r = await helm('test', rel, '--namespace', ns, '--timeout', '60s');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`TEST SUITE:\\s+${rel}-smoke[\\s\\S]*Phase:\\s+Succeeded`));
      // hook-succeeded: helm deletes the pod once it passed
      expect(cluster.get('', 'pods', ns, `${rel}-smoke`)).toBeUndefined();
    });

    it('rollback to revision 1 --wait re-uses the old ReplicaSet as the newest revision', async () => {
      const r = await helm('rollback', rel, '1', '--namespace', ns, '--wait', '--timeout', '60s');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Rollback was a success! Happy Helming!');
      expect(configMessage()).toBe('hello');
      expect(statuses()).toEqual(['1:superseded', '2:superseded', '3:deployed']);
      expect(
        cluster.get('apps', 'deployments', ns, `${rel}-web`)?.metadata.annotations?.[
          'deployment.kubernetes.io/revision'
        ],
      ).toBe('3');
      expect(cluster.list('apps', 'replicasets', ns)).toHaveLength(2);
      expect(webReady()).toBe(true);
    });

    it(`a never-ready Deployment (ImagePullBackOff) fails the wait and ${rollbackFlag} rolls it back`, async () => {
      const r = await upgrade('5s', 'scenario=image-pull-backoff', 'image=nginx:does-not-exist');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/UPGRADE FAILED/);
      expect(r.stderr).toMatch(/has been rolled back due to (atomic|rollback-on-failure) being set/);
      expect(statuses()).toEqual(['1:superseded', '2:superseded', '3:superseded', '4:failed', '5:deployed']);
      const d = cluster.get('apps', 'deployments', ns, `${rel}-web`);
      const tpl = (d?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template;
      expect(tpl.spec.containers[0].image).toBe('nginx:1.25');
      await cluster.until(webReady);
      const warnings = cluster
        .list('', 'events', ns)
        .filter((e) => e.type === 'Warning' && e.message === 'Error: ImagePullBackOff');
      expect(warnings.length).toBeGreaterThan(0);
    });

    it('a helm killed mid-upgrade leaves the release pending-upgrade; the next upgrade is refused until a rollback', async () => {
      const child = cluster.spawn(
        helmBin,
        [
          'upgrade',
          rel,
          chart,
          '--namespace',
          ns,
          '--wait',
          '--timeout',
          '120s',
          '--set',
          'scenario=crash-loop',
          '--set',
          'message=stuck',
        ],
        cluster.home(),
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await cluster.until(() => statuses().includes('6:pending-upgrade'));
      // helm has applied the new manifest and waits; a CI runner cancelled now leaves the lock behind.
      await cluster.until(() => configMessage() === 'stuck');
      child.kill('SIGKILL');
      await exited;
      expect(statuses().at(-1)).toBe('6:pending-upgrade');
      const st = await helm('status', rel, '--namespace', ns, '-o', 'json');
      expect(JSON.parse(st.stdout)).toMatchObject({ version: 6, info: { status: 'pending-upgrade' } });
      const again = await upgrade('30s');
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('another operation (install/upgrade/rollback) is in progress');
      const rb = await helm('rollback', rel, '5', '--namespace', ns, '--wait', '--timeout', '60s');
      expect(rb.code, rb.stderr).toBe(0);
      // helm supersedes the deployed revision and leaves the interrupted one as it was.
      expect(statuses().slice(-3)).toEqual(['5:superseded', '6:pending-upgrade', '7:deployed']);
      const after = await helm('status', rel, '--namespace', ns, '-o', 'json');
      expect(JSON.parse(after.stdout)).toMatchObject({ version: 7, info: { status: 'deployed' } });
      expect(configMessage()).toBe('hello');
    });

    it('uninstall --wait removes the release, its objects and their pods', async () => {
      const r = await helm('uninstall', rel, '--namespace', ns, '--wait', '--timeout', '60s');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`release "${rel}" uninstalled`);
      expect(releaseSecrets(cluster, ns, rel)).toEqual([]);
      for (const [group, resource] of [
        ['apps', 'deployments'],
        ['apps', 'statefulsets'],
        ['apps', 'replicasets'],
        ['', 'configmaps'],
        ['networking.k8s.io', 'ingresses'],
        ['policy', 'poddisruptionbudgets'],
      ] as const) {
        expect(cluster.list(group, resource, ns), resource).toEqual([]);
      }
      await cluster.until(() =>
        cluster.list('', 'pods', ns).every((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'seed'),
      );
      const list = await helm('list', '--namespace', ns, '-o', 'json');
      expect(JSON.parse(list.stdout)).toEqual([]);
    });

    it(`a failing post-install seed Job fails the install and ${rollbackFlag} uninstalls the release`, async () => {
      const hookNs = `${ns}-hook`;
      const r = await helm(
        'upgrade',
        '--install',
        'seedfail',
        chart,
        '--namespace',
        hookNs,
        '--create-namespace',
        '--wait',
        rollbackFlag,
        '--timeout',
        '30s',
        '--set',
        'seed.scenario=job-fails',
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /release seedfail failed, and has been uninstalled due to (atomic|rollback-on-failure) being set: failed post-install/,
      );
      expect(r.stderr).toMatch(
        major === 3
          ? /job seedfail-seed failed: BackoffLimitExceeded/
          : /Job\/[\w-]+\/seedfail-seed not ready\. status: Failed/,
      );
      expect(releaseSecrets(cluster, hookNs, 'seedfail')).toEqual([]);
      expect(cluster.list('apps', 'deployments', hookNs)).toEqual([]);
      expect(condition(cluster.get('batch', 'jobs', hookNs, 'seedfail-seed'), 'Failed')).toMatchObject({
        status: 'True',
        reason: 'BackoffLimitExceeded',
      });
    });

    it('quota admission: a create over the namespace quota fails helm with the real exceeded-quota message', async () => {
      const quotaNs = `${ns}-quota`;
      cluster.kube.scenarios.denyCreates(quotaNs, { resource: 'deployments', quotaName: 'preview-quota' });
      const r = await helm(
        'upgrade',
        '--install',
        'quota',
        chart,
        '--namespace',
        quotaNs,
        '--create-namespace',
        '--timeout',
        '30s',
        '--set',
        'seed.enabled=false',
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        'deployments.apps "quota-web" is forbidden: exceeded quota: preview-quota, requested: count/deployments.apps=1',
      );
      expect(statusesOf(quotaNs, 'quota')).toEqual(['1:failed']);
      cluster.kube.scenarios.allowCreates(quotaNs);
    });
  });
}
