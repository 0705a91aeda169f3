/**
 * The opt-in kubelet that really runs Job pods (`startKube({ podRunners: [postgresSeedRunner()] })`):
 * the real helm 4 installs the example chart, its post-install seed Job's own psql command runs
 * against a throwaway PostgreSQL standing in for the chart's database Service, and
 * `kubectl logs job/<name>` returns what psql printed; the Job's conditions follow the exit code
 * (Complete, or Failed with BackoffLimitExceeded), as Kubernetes' Job controller documents them.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPaths } from '../../src/tools.js';
import { postgresSeedRunner } from '../../src/postgres/index.js';
import { condition, startCluster, status, type Cluster } from './harness.js';

const chart = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'workflows-examples',
  'charts',
  'preview',
);
const ns = 'preview-pr-7';
const rel = 'app-pr-7';
const tools = toolPaths().v34;
const runner = postgresSeedRunner();
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(50, { podRunners: [runner] });
});
afterAll(async () => {
  expect(cluster.controllerErrors()).toEqual([]);
  await cluster.stop();
  expect(runner.servers.size).toBe(0);
});

const install = () =>
  cluster.run(
    tools.helm,
    [
      'upgrade',
      '--install',
      rel,
      chart,
      '--namespace',
      ns,
      '--create-namespace',
      '--wait',
      '--timeout',
      '60s',
      '--set',
      'image.tag=x',
      '--set',
      'ingress.enabled=false',
    ],
    cluster.home(),
  );
const logs = (job: string) => cluster.run(tools.kubectl, ['logs', `job/${job}`, '-n', ns], cluster.home());
const rows = async (table: string): Promise<number> =>
  Number(
    (await runner.servers.get(`${ns}/${rel}-db`)!.psql(['-At', '-c', `SELECT count(*) FROM ${table}`])).stdout.trim(),
  );

describe('Job pods a runner really runs', () => {
  it("the example chart's seed Job runs its psql against a real PostgreSQL; its log is what kubectl logs job/… prints", async () => {
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    const job = cluster.get('batch', 'jobs', ns, `${rel}-seed`)!;
    expect(condition(job, 'Complete')?.status).toBe('True');
    expect(status(job)).toMatchObject({ succeeded: 1 });
    expect(Date.parse(String(status(job).completionTime))).toBeGreaterThanOrEqual(
      Date.parse(String(status(job).startTime)),
    );
    const pod = cluster.list('', 'pods', ns).find((p) => p.metadata.name.startsWith(`${rel}-seed-`))!;
    expect((pod.status as any).containerStatuses[0].state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    const out = await logs(`${rel}-seed`);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe('preview-seed: users=50 orders=150');
    expect([await rows('users'), await rows('orders')]).toEqual([50, 150]);
  });

  it('an upgrade replaces the Job (before-hook-creation) and the re-run against the same database adds nothing', async () => {
    const firstUid = cluster.get('batch', 'jobs', ns, `${rel}-seed`)!.metadata.uid;
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    const job = cluster.get('batch', 'jobs', ns, `${rel}-seed`)!;
    expect(job.metadata.uid).not.toBe(firstUid);
    expect(condition(job, 'Complete')?.status).toBe('True');
    expect((await logs(`${rel}-seed`)).stdout.trim()).toBe('preview-seed: users=50 orders=150');
    expect(runner.servers.size).toBe(1);
  });

  it('a Job whose PGHOST names no Service fails like DNS would: exit 2, its log says so, Failed=True (BackoffLimitExceeded)', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'bad-seed', namespace: ns },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'seed',
                image: 'postgres:16',
                command: ['psql', '-c', 'select 1'],
                env: [{ name: 'PGHOST', value: 'no-such-db' }],
              },
            ],
          },
        },
      },
    };
    const created = await cluster.run(tools.kubectl, ['create', '-f', '-'], cluster.home(), JSON.stringify(job));
    expect(created.code, created.stderr).toBe(0);
    const failed = await cluster.until(() => condition(cluster.get('batch', 'jobs', ns, 'bad-seed'), 'Failed'));
    expect(failed).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    const pod = cluster.list('', 'pods', ns).find((p) => p.metadata.name.startsWith('bad-seed-'))!;
    expect((pod.status as any).containerStatuses[0].state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect((await logs('bad-seed')).stdout).toContain('could not translate host name "no-such-db" to address');
  });

  it('Job pods no runner matches still just succeed, with an empty log', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'echo', namespace: ns },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'echo', image: 'busybox', command: ['echo', 'hi'] }] },
        },
      },
    };
    expect((await cluster.run(tools.kubectl, ['create', '-f', '-'], cluster.home(), JSON.stringify(job))).code).toBe(0);
    await cluster.until(() => condition(cluster.get('batch', 'jobs', ns, 'echo'), 'Complete'));
    const out = await logs('echo');
    expect([out.code, out.stdout]).toEqual([0, '']);
  });
});
