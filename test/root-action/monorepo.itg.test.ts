/**
 * A monorepo's six services through the bundled all-in-one action, deployed side by side: one
 * release per service in the PR's namespace (its quota shared, by default six services' worth),
 * one comment with a row per service (the run's comment writes go through one queue, so none is
 * lost), every URL answering through the ingress, each service's log printed whole and in order;
 * then the close tears all six down. Images are given (`image`), so no builder is needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';

const REPO = 'acme/shop';
const SERVICES = ['web', 'api', 'cart', 'search', 'docs', 'admin'];
let sandbox: Sandbox;
let home: string;
beforeAll(async () => {
  sandbox = await startSandbox({ only: ['kube', 'github', 'ecr'], repository: REPO, controllerDelayMs: 100 });
  home = mkdtempSync(join(tmpdir(), 'pf-monorepo-home-'));
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

function run(event: unknown, runId: number) {
  return runActionProcess(repoRoot, {
    eventName: 'pull_request',
    event,
    repository: REPO,
    runId,
    timeoutMs: 400_000,
    env: { ...sandbox.env, PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`, HOME: home },
    secrets: [sandbox.env.GITHUB_TOKEN!],
    inputs: {
      services: SERVICES.join(', '),
      'depends-on': 'web=api',
      chart: join(repoRoot, 'workflows-examples/charts/preview'),
      domain: sandbox.ingress!.domain,
      image: 'registry.example.com/shop:prebuilt',
      'github-token': sandbox.env.GITHUB_TOKEN!,
      'aws-region': 'us-east-1',
      'delete-vault-path': 'false',
      timeout: '2m',
      // No Vault here, so no per-PR login: a public preview, said explicitly (the chart's default is basic auth).
      set: 'auth.mode=none',
    },
  });
}

describe('all-in-one action with six services', () => {
  it('refuses a depends-on cycle before anything is created', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const r = await runActionProcess(repoRoot, {
      eventName: 'pull_request',
      event: pullRequestEvent('opened', {
        number: pr.number,
        repository: REPO,
        headSha: pr.head.sha,
        labels: ['preview'],
      }),
      repository: REPO,
      runId: 7000,
      timeoutMs: 60_000,
      env: { ...sandbox.env, HOME: home },
      inputs: {
        services: 'web, api',
        'depends-on': 'web=api\napi=web',
        image: 'registry.example.com/shop:prebuilt',
        'github-token': sandbox.env.GITHUB_TOKEN!,
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain('Input "depends-on" must not hold a cycle (web → api → web)');
    expect(gh.comments(REPO, pr.number)).toHaveLength(0);
    const ns = sandbox.kube!.store.types.byKind('Namespace')!;
    expect(sandbox.kube!.store.get(ns, undefined, `preview-pr-${pr.number}`)).toBeUndefined();
  }, 120_000);

  it('deploys all six side by side into one namespace with one comment of six rows, then tears them down', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const up = await run(
      pullRequestEvent('opened', { number: pr.number, repository: REPO, headSha: pr.head.sha, labels: ['preview'] }),
      7001,
    );
    expect(up.exitCode, up.log.slice(-3000)).toBe(0);
    const domain = sandbox.ingress!.domain;
    expect(up.log).toContain('deploying 6 service(s), at most 6 at once; waiting: web after api');
    // One process per step checks its inputs for all six services (comment-status, deploy-helm, wait-ready).
    expect(up.log).toMatch(/inputs checked by 3 step process\(es\)/);
    expect(JSON.parse(up.outputs.urls!)).toEqual(
      Object.fromEntries(SERVICES.map((s) => [s, `https://${s}-pr-${pr.number}.${domain}`])),
    );
    expect(up.outputs.url).toBe(`https://web-pr-${pr.number}.${domain}`);
    expect(JSON.parse(up.outputs.built!)).toEqual(Object.fromEntries(SERVICES.map((s) => [s, false])));
    // Each service's log is one block, in the order of `services`.
    const groups = [...up.log.matchAll(/^::group::([a-z]+) · /gm)].map((m) => m[1]!);
    expect(groups.filter((s, i) => s !== groups[i - 1])).toEqual(SERVICES);
    // The namespace's quota is shared: six services' worth of the per-service default.
    const quota = sandbox.kube!.store.get(
      sandbox.kube!.store.types.byKind('ResourceQuota')!,
      `preview-pr-${pr.number}`,
      'preview-fleet',
    ) as unknown as { spec: { hard: Record<string, string> } };
    expect(quota.spec.hard).toMatchObject({ pods: '60', 'limits.cpu': '6' });
    for (const s of SERVICES) {
      expect(
        sandbox.ingress!.hits().some((h) => h.host === `${s}-pr-${pr.number}.${domain}` && h.status === 200),
        s,
      ).toBe(true);
    }
    const comments = gh.comments(REPO, pr.number);
    expect(comments).toHaveLength(1);
    for (const s of SERVICES) expect(comments[0]!.body).toMatch(new RegExp(`\`${s}\` \\| ✅ ready`));
    const secretType = sandbox.kube!.store.types.byKind('Secret')!;
    const releases = () =>
      sandbox.kube!.store.list(secretType, `preview-pr-${pr.number}`).filter((x) => x.type === 'helm.sh/release.v1');
    expect(new Set(releases().map((x) => x.metadata.labels?.name))).toEqual(
      new Set(SERVICES.map((s) => `${s}-pr-${pr.number}`)),
    );
    expect(up.leaks).toEqual([]);

    gh.closePullRequest(REPO, pr.number);
    const down = await run(
      pullRequestEvent('closed', { number: pr.number, repository: REPO, headSha: pr.head.sha, labels: ['preview'] }),
      7002,
    );
    expect(down.exitCode, down.log.slice(-3000)).toBe(0);
    const report = JSON.parse(down.outputs.report!) as {
      results: Array<{ kind: string; name: string; status: string }>;
    };
    expect(
      report.results
        .filter((x) => x.kind === 'release')
        .map((x) => [x.name, x.status])
        .sort(),
    ).toEqual(SERVICES.map((s) => [`preview-pr-${pr.number}/${s}-pr-${pr.number}`, 'deleted']).sort());
    expect(report.results.find((x) => x.kind === 'namespace')!.status).toBe('deleted');
    expect(
      sandbox.kube!.store.get(sandbox.kube!.store.types.byKind('Namespace')!, undefined, `preview-pr-${pr.number}`),
    ).toBeUndefined();
    expect(gh.comments(REPO, pr.number)[0]!.body).toMatch(/`web` \| 🗑️ destroyed/);
    gh.assertContract();
  }, 900_000);
});
