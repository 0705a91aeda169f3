/**
 * "A database that is really seeded" (issue 20 part 5), runner-style through the bundles:
 * deploy-helm installs the example chart with the real helm 4 into the Kubernetes stand-in, whose
 * opt-in runner (`postgresSeedRunner`) runs the chart's post-install seed Job — its own psql
 * command, env and SQL — against a throwaway PostgreSQL 15; wait-ready names the Job in `seed-job`
 * and comment-status posts its `smoke-report` to the GitHub stand-in, so the sticky comment shows
 * the row counts and the Job's duration. A seed Job that fails fails wait-ready, saying so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { startKube, type KubeObject, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { postgresSeedRunner } from '@preview-fleet/sandbox/postgres';

const REPO = 'acme/shop';
const CHART = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const action = (name: string): string => join(repoRoot, 'actions', name);
const runner = postgresSeedRunner();
let kube: KubeStandIn;
let gh: GitHubStandIn;
let home: string;

beforeAll(async () => {
  [kube, gh] = await Promise.all([startKube({ controllerDelayMs: 100, podRunners: [runner] }), startGitHub()]);
  home = mkdtempSync(join(tmpdir(), 'pf-seed-comment-'));
});
afterEach(() => gh.assertContract());
afterAll(async () => {
  await Promise.all([kube?.stop(), gh?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`,
  HOME: home,
  KUBECONFIG: kube.kubeconfigPath,
  GITHUB_API_URL: gh.url,
});

interface Story {
  deploy: ActionRun;
  ready: ActionRun;
  comment?: ActionRun;
  body: string;
  ms: number;
}

/** deploy-helm → wait-ready (seed-job) → comment-status, as the workflow wires them. */
async function deployAndComment(
  values: string,
  seedJob: (pr: number) => string | Promise<string> = (pr) => `app-pr-${pr}-seed`,
): Promise<Story & { pr: number }> {
  const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
  const event = pullRequestEvent('synchronize', {
    number: pr.number,
    repository: REPO,
    headSha: pr.head.sha,
    labels: ['preview'],
  });
  const common = {
    event,
    eventName: 'pull_request',
    repository: REPO,
    runId: 77,
    env: env(),
    secrets: [gh.token],
    timeoutMs: 120_000,
  };
  const t0 = performance.now();
  const deploy = await runActionProcess(action('deploy-helm'), {
    ...common,
    inputs: {
      chart: CHART,
      'github-token': gh.token,
      domain: 'preview.example.com',
      image: 'registry.example.com/acme/shop:preview-1',
      timeout: '90s',
      values,
    },
  });
  const ms = performance.now() - t0;
  const ready = await runActionProcess(action('wait-ready'), {
    ...common,
    inputs: { namespace: deploy.outputs.namespace ?? '', timeout: '60s', 'seed-job': await seedJob(pr.number) },
  });
  const okay = ready.outputs.ready === 'true';
  const comment =
    deploy.exitCode === 0
      ? await runActionProcess(action('comment-status'), {
          ...common,
          inputs: {
            'github-token': gh.token,
            state: okay ? 'ready' : 'failed',
            url: deploy.outputs.url ?? '',
            details: (okay ? ready.outputs['smoke-report'] : ready.outputs.diagnostics) ?? '',
          },
        })
      : undefined;
  return { pr: pr.number, deploy, ready, comment, ms, body: String(gh.comments(REPO, pr.number)[0]?.body ?? '') };
}

const job = (ns: string, name: string): KubeObject | undefined =>
  kube.store.get(kube.store.types.get('batch', 'v1', 'jobs')!, ns, name);

/** Resolves once `check` holds, re-checked on every store change (the runner's real psql decides when). */
function until(check: () => boolean, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`not within ${ms} ms`));
    }, ms);
    const off = kube.store.subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

describe("the seed's row counts and duration in the sticky comment (bundled deploy-helm + wait-ready + comment-status)", () => {
  it('a real PostgreSQL seeded by the chart\'s own Job: "seeded: users=…, orders=… in …s" in the comment', async () => {
    const s = await deployAndComment('seed:\n  users: 200\n  ordersPerUser: 4\n');
    expect(s.deploy.exitCode, s.deploy.log).toBe(0);
    expect(s.ready.exitCode, s.ready.log).toBe(0);
    const j = job(`preview-pr-${s.pr}`, `app-pr-${s.pr}-seed`)!;
    const status = j.status as { startTime: string; completionTime: string };
    const seconds = Math.round((Date.parse(status.completionTime) - Date.parse(status.startTime)) / 1000);
    const line = `**Seed:** ✅ seeded: users=200, orders=800 in ${seconds}s`;
    expect(s.ready.outputs['smoke-report']).toBe(line);
    expect(s.ready.summary).toContain(line);
    expect(s.comment?.exitCode, s.comment?.log).toBe(0);
    expect(s.body).toContain(line);
    const pg = runner.servers.get(`preview-pr-${s.pr}/app-pr-${s.pr}-db`)!;
    expect((await pg.psql(['-At', '-c', 'SELECT count(*) FROM orders'])).stdout.trim()).toBe('800');
    expect([s.deploy.leaks, s.ready.leaks, s.comment?.leaks]).toEqual([[], [], []]);
    console.info(
      `deploy-helm with the real seed (PostgreSQL ${pg.version}, 200 users × 4 orders): ${(s.ms / 1000).toFixed(1)} s; Job startTime→completionTime ${seconds} s`,
    );
  });

  it('a seed-job that names no Job is reported, not failed; the preview stays ready', async () => {
    const s = await deployAndComment('seed:\n  enabled: false\n');
    expect(s.ready.exitCode, s.ready.log).toBe(0);
    const line = `**Seed:** ⚠️ job \`app-pr-${s.pr}-seed\` not found (removed, or not created by this chart)`;
    expect(s.ready.outputs['smoke-report']).toBe(line);
    expect(
      s.ready.annotations.some((a) => a.level === 'warning' && a.message.includes(`Seed job "app-pr-${s.pr}-seed"`)),
    ).toBe(true);
    expect(s.body).toContain(line);
  });

  it('a seed Job that failed (its Failed condition) fails wait-ready and the comment says why', async () => {
    // The chart's hook Job would fail helm itself; a Job created beside the release is what wait-ready alone must judge.
    const s = await deployAndComment('seed:\n  enabled: false\n', async (pr) => {
      const ns = `preview-pr-${pr}`;
      kube.store.create(kube.store.types.get('batch', 'v1', 'jobs')!, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'broken-seed', namespace: ns },
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
                  env: [{ name: 'PGHOST', value: 'nowhere-db' }],
                },
              ],
            },
          },
        },
      } as unknown as KubeObject);
      await until(
        () =>
          ((job(ns, 'broken-seed')?.status as { failed?: number } | undefined)?.failed ?? 0) > 0 &&
          JSON.stringify(job(ns, 'broken-seed')?.status).includes('"Failed"'),
      );
      return 'broken-seed';
    });
    expect(s.ready.exitCode).toBe(1);
    expect(s.ready.outputs.ready).toBe('false');
    const error = s.ready.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(error).toContain('The seed job "broken-seed" in');
    expect(error).toContain('BackoffLimitExceeded');
    expect(s.body).toContain('**Seed:** ❌ job `broken-seed` failed (BackoffLimitExceeded');
  });
});
