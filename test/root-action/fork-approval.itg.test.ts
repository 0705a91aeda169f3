/**
 * A fork PR's preview through the bundled all-in-one action (issue 16 part 4): a maintainer's
 * workflow_dispatch deploy with `approve-sha`. Without it, or with a SHA that is not the PR's head,
 * nothing is commented or created; with the head it deploys exactly that commit and the comment
 * says later pushes wait for a new approval; a push after it is not deployed with the old approval.
 * deploy-helm re-checks the approval right before helm runs (its own bundle, head moved meanwhile).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';

const REPO = 'acme/fork-preview';
let sandbox: Sandbox;
let home: string;
beforeAll(async () => {
  sandbox = await startSandbox({ only: ['kube', 'github'], repository: REPO, controllerDelayMs: 100 });
  home = mkdtempSync(join(tmpdir(), 'pf-fork-home-'));
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({
  ...sandbox.env,
  PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`,
  HOME: home,
  GITHUB_ACTOR: 'maintainer',
});
const common = () => ({
  chart: join(repoRoot, 'workflows-examples/charts/preview'),
  domain: sandbox.ingress!.domain,
  'github-token': sandbox.env.GITHUB_TOKEN!,
  timeout: '2m',
  // No Vault here, so no per-PR login: a public preview, said explicitly (the chart's default is basic auth).
  set: 'auth.mode=none',
});

/** A maintainer's manual run: the inputs a workflow_dispatch form passes on. */
function dispatch(inputs: Record<string, string>, runId: number) {
  return runActionProcess(repoRoot, {
    eventName: 'workflow_dispatch',
    event: { inputs },
    repository: REPO,
    runId,
    timeoutMs: 240_000,
    env: env(),
    secrets: [sandbox.env.GITHUB_TOKEN!],
    inputs: {
      services: 'web',
      image: 'registry.example.com/fork:prebuilt',
      'aws-region': 'us-east-1',
      'delete-vault-path': 'false',
      ...common(),
      ...inputs,
    },
  });
}

const nsType = () => sandbox.kube!.store.types.byKind('Namespace')!;
const namespace = (pr: number) => sandbox.kube!.store.get(nsType(), undefined, `preview-pr-${pr}`);
const releases = (pr: number) =>
  sandbox
    .kube!.store.list(sandbox.kube!.store.types.byKind('Secret')!, `preview-pr-${pr}`)
    .filter((x) => x.type === 'helm.sh/release.v1');

function expectNothingDone(r: Awaited<ReturnType<typeof dispatch>>, pr: number, releasesBefore: number): void {
  expect(r.exitCode, r.log.slice(-2000)).toBe(1);
  expect(r.outputs.lifecycle).toBe('refused');
  expect(sandbox.github!.requestLog().filter((x) => x.method !== 'GET')).toEqual([]);
  expect(releases(pr)).toHaveLength(releasesBefore);
  expect(r.leaks).toEqual([]);
}

describe('a fork PR previewed by a maintainer (bundled all-in-one, workflow_dispatch)', () => {
  it('deploys only with approve-sha equal to the head, exactly that commit; a later push needs a new approval', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'], fork: 'outsider/fork-preview', head: 'patch-1' });
    const n = pr.number as number;
    const head = pr.head.sha as string;

    gh.resetCounters();
    const unapproved = await dispatch({ mode: 'deploy', 'pr-number': String(n) }, 9101);
    expectNothingDone(unapproved, n, 0);
    expect(unapproved.log).toContain(
      `Refusing to deploy PR #${n}: its head ${head} comes from a fork and no approve-sha was given`,
    );
    expect(namespace(n)).toBeUndefined();
    expect(gh.comments(REPO, n)).toEqual([]);

    // A manual run that does not say what it is for is refused, never a guessed teardown.
    gh.resetCounters();
    const auto = await dispatch({ 'pr-number': String(n), 'approve-sha': head }, 9102);
    expectNothingDone(auto, n, 0);
    expect(auto.log).toContain('Input "mode" is "auto", but a workflow_dispatch run carries no pull request event');

    const wrong = 'f'.repeat(40);
    gh.resetCounters();
    const mismatch = await dispatch({ mode: 'deploy', 'pr-number': String(n), 'approve-sha': wrong }, 9103);
    expectNothingDone(mismatch, n, 0);
    expect(mismatch.log).toContain(`approve-sha is ${wrong} but the PR's head is now ${head}`);

    const ok = await dispatch({ mode: 'deploy', 'pr-number': String(n), 'approve-sha': head }, 9104);
    expect(ok.exitCode, ok.log.slice(-3000)).toBe(0);
    expect(ok.outputs.lifecycle).toBe('deploy');
    expect(namespace(n)!.metadata.annotations?.['preview-fleet.dev/head-sha']).toBe(head);
    expect(releases(n)).toHaveLength(1);
    expect(
      sandbox.ingress!.hits().some((h) => h.host === `web-pr-${n}.${sandbox.ingress!.domain}` && h.status === 200),
    ).toBe(true);
    const body = gh.comments(REPO, n)[0]!.body;
    expect(body).toMatch(/`web` \| ✅ ready/);
    expect(body).toContain(`this preview runs commit \`${head.slice(0, 12)}\`, approved by @maintainer`);
    expect(body).toContain('Pushes after it are not deployed until a maintainer reviews the new head');
    expect(ok.leaks).toEqual([]);

    // The fork pushes: the old approval no longer deploys anything, and the refusal names both SHAs.
    const pushed = gh.pushCommit(REPO, n);
    gh.resetCounters();
    const stale = await dispatch({ mode: 'deploy', 'pr-number': String(n), 'approve-sha': head }, 9105);
    expectNothingDone(stale, n, 1);
    expect(stale.log).toContain(`approve-sha is ${head} but the PR's head is now ${pushed}`);
    expect(namespace(n)!.metadata.annotations?.['preview-fleet.dev/head-sha']).toBe(head);
    gh.assertContract();
  }, 480_000);

  it('deploy-helm re-checks right before helm runs: a head that moved after the gate fails naming both SHAs, nothing created', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'], fork: 'outsider/fork-preview', head: 'patch-2' });
    const n = pr.number as number;
    const approved = pr.head.sha as string;
    const moved = gh.pushCommit(REPO, n);
    const run = (inputs: Record<string, string>) =>
      runActionProcess(join(repoRoot, 'actions/deploy-helm'), {
        eventName: 'workflow_dispatch',
        event: { inputs: { 'pr-number': String(n) } },
        repository: REPO,
        runId: 9201,
        timeoutMs: 120_000,
        env: env(),
        secrets: [sandbox.env.GITHUB_TOKEN!],
        inputs: { ...common(), image: 'registry.example.com/fork:prebuilt', 'pr-number': String(n), ...inputs },
      });
    const stale = await run({ 'approve-sha': approved });
    expect(stale.exitCode, stale.log.slice(-2000)).toBe(1);
    expect(stale.log).toContain(`approve-sha is ${approved} but the PR's head is now ${moved}`);
    const none = await run({});
    expect(none.exitCode).toBe(1);
    expect(none.log).toContain(`its head ${moved} comes from a fork and no approve-sha was given`);
    expect(namespace(n)).toBeUndefined();
    expect(releases(n)).toHaveLength(0);
  }, 240_000);
});
