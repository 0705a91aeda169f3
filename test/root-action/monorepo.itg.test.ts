/**
 * A monorepo's services through the bundled all-in-one action: one release per service in the
 * PR's namespace, one comment with a row per service, every URL answering through the ingress;
 * then the close tears both down. Images are given (`image`), so no builder is needed.
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
    timeoutMs: 240_000,
    env: { ...sandbox.env, PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`, HOME: home },
    secrets: [sandbox.env.GITHUB_TOKEN!],
    inputs: {
      services: 'web, api',
      chart: join(repoRoot, 'workflows-examples/charts/preview'),
      domain: sandbox.ingress!.domain,
      image: 'registry.example.com/shop:prebuilt',
      'github-token': sandbox.env.GITHUB_TOKEN!,
      'aws-region': 'us-east-1',
      'delete-vault-path': 'false',
      timeout: '2m',
      // No Vault here, so no per-PR login: a public preview, said explicitly (the chart's default is basic auth).
      set: 'auth.mode=none',
      // The quota is the namespace's, shared by every service: the default (limits.cpu 1) fits
      // one app + PostgreSQL; two need more (without this, api's install fails "exceeded quota").
      'resource-quota': 'requests.cpu=1\nrequests.memory=1Gi\nlimits.cpu=2\nlimits.memory=2Gi\npods=20',
    },
  });
}

describe('all-in-one action with two services', () => {
  it('deploys both into one namespace with one comment, then tears both down', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const up = await run(
      pullRequestEvent('opened', { number: pr.number, repository: REPO, headSha: pr.head.sha, labels: ['preview'] }),
      7001,
    );
    expect(up.exitCode, up.log.slice(-3000)).toBe(0);
    const domain = sandbox.ingress!.domain;
    expect(JSON.parse(up.outputs.urls!)).toEqual({
      web: `https://web-pr-${pr.number}.${domain}`,
      api: `https://api-pr-${pr.number}.${domain}`,
    });
    expect(up.outputs.url).toBe(`https://web-pr-${pr.number}.${domain}`);
    expect(JSON.parse(up.outputs.built!)).toEqual({ web: false, api: false });
    for (const s of ['web', 'api']) {
      expect(
        sandbox.ingress!.hits().some((h) => h.host === `${s}-pr-${pr.number}.${domain}` && h.status === 200),
        s,
      ).toBe(true);
    }
    const comments = gh.comments(REPO, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/`web` \| ✅ ready/);
    expect(comments[0]!.body).toMatch(/`api` \| ✅ ready/);
    const secretType = sandbox.kube!.store.types.byKind('Secret')!;
    const releases = () =>
      sandbox.kube!.store.list(secretType, `preview-pr-${pr.number}`).filter((x) => x.type === 'helm.sh/release.v1');
    expect(new Set(releases().map((x) => x.metadata.labels?.name))).toEqual(
      new Set(['web-pr-' + pr.number, 'api-pr-' + pr.number]),
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
    ).toEqual([
      [`preview-pr-${pr.number}/api-pr-${pr.number}`, 'deleted'],
      [`preview-pr-${pr.number}/web-pr-${pr.number}`, 'deleted'],
    ]);
    expect(report.results.find((x) => x.kind === 'namespace')!.status).toBe('deleted');
    expect(
      sandbox.kube!.store.get(sandbox.kube!.store.types.byKind('Namespace')!, undefined, `preview-pr-${pr.number}`),
    ).toBeUndefined();
    expect(gh.comments(REPO, pr.number)[0]!.body).toMatch(/`web` \| 🗑️ destroyed/);
    gh.assertContract();
  }, 480_000);
});
