/**
 * The reaper as a workflow runs it (bundled, Node 24) against one sandboxed world that the tests
 * build up in order: a dry run of every scenario first, then the real runs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { REPOSITORY, reaperDir, startWorld, type World } from '@preview-fleet/action-teardown/test/fixture';
import { BAD_INPUTS } from './bad-inputs.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

const H = 3_600_000;
const DAY = 24 * H;
let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterEach(() => {
  expect(w.gh.contractViolations()).toEqual([]);
  expect(w.vault.contractViolations).toEqual([]);
});
afterAll(async () => w?.stop());

function reap(inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runActionProcess(reaperDir, {
    inputs: { ...w.inputs, ...inputs },
    event: {},
    eventName: 'schedule',
    repository: REPOSITORY,
    env: w.env,
    secrets: [w.vaultToken, w.gh.token],
    timeoutMs: 170_000,
  });
}
const json = <T>(r: ActionRun, name: string): T => JSON.parse(r.outputs[name]!) as T;
type Plan = Array<{ pr: number; decision: { action: string; reason: string }; deferred?: boolean }>;
const decisions = (r: ActionRun): Record<number, string> =>
  Object.fromEntries(
    json<Plan>(r, 'plan').map((p) => [
      p.pr,
      `${p.decision.action}:${p.decision.reason}${p.deferred ? ':deferred' : ''}`,
    ]),
  );
const warnings = (pr: number) =>
  w.gh.comments(REPOSITORY, pr).filter((c) => String(c.body).includes('preview-fleet:reaper-warning'));
const gone = async (pr: number): Promise<boolean> =>
  !w.namespaceExists(`preview-pr-${pr}`) &&
  !w.vaultPathExists(`preview/app-${pr}`) &&
  !(await w.repositoryExists(`app-preview-${pr}`));
const whole = async (pr: number): Promise<boolean> =>
  w.namespaceExists(`preview-pr-${pr}`) &&
  w.vaultPathExists(`preview/app-${pr}`) &&
  (await w.repositoryExists(`app-preview-${pr}`));

describe('reap-orphans (bundled, runner-style: kube + helm 4 + kubectl, GitHub, Vault, moto)', () => {
  const pr: Record<string, number> = {};

  it('dry-run plans every scenario and deletes, comments, labels and closes nothing', async () => {
    pr.lost = (await w.deploy()).pr;
    w.gh.closePullRequest(REPOSITORY, pr.lost); // its `closed` webhook was lost: teardown never ran
    pr.unlabelled = (await w.deploy({ labels: [] })).pr;
    pr.expired = (await w.deploy({ expiresInMs: -H })).pr;
    pr.kept = (await w.deploy({ expiresInMs: -H, labels: ['preview', 'preview-keep'] })).pr;
    pr.active = (await w.deploy({ expiresInMs: 48 * H })).pr;
    pr.missing = 9001;
    await w.orphan(pr.missing);
    const comments = Object.values(pr).map((n) => w.gh.comments(REPOSITORY, n).length);
    const before = w.gh.requestLog().filter((x) => x.method !== 'GET').length;

    const r = await reap({ 'dry-run': 'true' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    expect(decisions(r)).toEqual({
      [pr.lost]: 'reap:closed',
      [pr.unlabelled]: 'reap:unlabelled',
      [pr.expired]: 'warn:expired',
      [pr.kept]: 'keep:keep-label',
      [pr.active]: 'keep:active',
      [pr.missing]: 'reap:missing',
    });
    expect(json(r, 'reaped')).toEqual([]);
    expect(json(r, 'warned')).toEqual([pr.expired]);
    expect(r.summary).toContain('**Dry run**');
    expect(r.summary).toContain(`| #${pr.lost} | reap (dry-run) |`);
    for (const n of Object.values(pr)) expect(await whole(n), `#${n}`).toBe(true);
    expect(Object.values(pr).map((n) => w.gh.comments(REPOSITORY, n).length)).toEqual(comments);
    expect(w.gh.requestLog().filter((x) => x.method !== 'GET').length).toBe(before);
    expect(w.kube.counters()['delete namespaces'] ?? 0).toBe(0);
  });

  it('reaps the lost webhook, the unlabelled PR and the missing PR across every kind; warns the expired one once; keeps the rest', async () => {
    w.gh.resetCounters();
    const inventoryLists = (): number =>
      w.kube
        .requestLog()
        .filter(
          (e) =>
            e.method === 'GET' &&
            e.path === '/api/v1/namespaces' &&
            decodeURIComponent(e.query).includes('labelSelector=app.kubernetes.io/managed-by'),
        ).length;
    const listsBefore = inventoryLists();
    const r = await reap();
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    expect(json<number[]>(r, 'reaped').sort((a, b) => a - b)).toEqual(
      [pr.lost, pr.unlabelled, pr.missing].sort((a, b) => a - b),
    );
    expect(json<number[]>(r, 'kept').sort((a, b) => a - b)).toEqual([pr.kept, pr.active].sort((a, b) => a - b));
    expect(json(r, 'warned')).toEqual([pr.expired]);
    for (const n of [pr.lost, pr.unlabelled, pr.missing]) expect(await gone(n), `#${n}`).toBe(true);
    for (const n of [pr.expired, pr.kept, pr.active]) expect(await whole(n), `#${n}`).toBe(true);
    expect(w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${pr.lost}`)).toEqual([]);
    expect(w.gh.comments(REPOSITORY, pr.lost)[0]!.body).toContain('🗑️ destroyed');
    expect(warnings(pr.expired)).toHaveLength(1);
    expect(w.namespace(`preview-pr-${pr.expired}`)!.metadata.annotations!['preview-fleet.dev/warned-at']).toBeTruthy();
    for (const n of ['default', 'kube-system', 'preview-pr-5']) expect(w.namespaceExists(n), n).toBe(true);
    // One label-selected namespace list (kubectl's own --wait lists by name come on top), one page of open PRs.
    expect(inventoryLists() - listsBefore).toBe(1);
    expect(w.gh.counters()['pulls/list']).toBe(1);
    expect(r.summary).toContain(`PR #${pr.lost}: 🗑️ removed`);
    const reports = json<Array<{ pr: number; results: Array<{ kind: string; name: string; status: string }> }>>(
      r,
      'report',
    );
    const lost = reports.find((x) => x.pr === pr.lost)!.results;
    expect([...new Set(lost.map((x) => x.kind))]).toEqual([
      'release',
      'namespace',
      'vault-path',
      'ecr-repository',
      'deployment',
    ]);
    expect(lost.every((x) => x.status === 'deleted')).toBe(true);
    expect(lost[0]).toMatchObject({ kind: 'release', name: `preview-pr-${pr.lost}/app-pr-${pr.lost}` });
    // The missing PR had no release or deployment: only what the inventory found is touched.
    expect(reports.find((x) => x.pr === pr.missing)!.results.map((x) => x.kind)).toEqual([
      'namespace',
      'vault-path',
      'ecr-repository',
    ]);
  });

  it('expired after the warning: the next run reaps it and does not warn again; keep-label still wins', async () => {
    const r = await reap();
    expect(r.exitCode, r.log).toBe(0);
    expect(json(r, 'reaped')).toEqual([pr.expired]);
    expect(await gone(pr.expired)).toBe(true);
    expect(warnings(pr.expired)).toHaveLength(1);
    expect(await whole(pr.kept)).toBe(true);
    expect(decisions(r)[pr.kept]).toBe('keep:keep-label');
  });

  it('max-deletions: tears down at most that many PRs, the rest wait for the next run', async () => {
    for (const n of [9101, 9102, 9103]) await w.orphan(n, { kinds: ['namespace'], expiresInMs: (n - 9200) * H });
    const r = await reap({ 'max-deletions': '1', kinds: 'namespaces' });
    expect(r.exitCode, r.log).toBe(0);
    expect(json(r, 'reaped')).toEqual([9101]);
    expect(decisions(r)).toMatchObject({ 9102: 'reap:missing:deferred', 9103: 'reap:missing:deferred' });
    expect(r.summary).toContain('over max-deletions (1) are left for the next run: #9102, #9103');
    expect([9101, 9102, 9103].map((n) => w.namespaceExists(`preview-pr-${n}`))).toEqual([false, true, true]);
    const rest = await reap({ kinds: 'namespaces', concurrency: '2' });
    expect(json<number[]>(rest, 'reaped').sort()).toEqual([9102, 9103]);
  });

  it('stale PR: marked first, closed after close-after-days through the API and torn down in the same run', async () => {
    w.shiftGitHubClock(-20 * DAY);
    const idle = (await w.deploy()).pr;
    w.shiftGitHubClock(-10 * DAY);
    const stale = (await w.deploy({ labels: ['preview', 'preview-stale'] })).pr;
    w.shiftGitHubClock(0);
    const r = await reap({ 'stale-days': '14', 'close-after-days': '7' });
    expect(r.exitCode, r.log).toBe(0);
    expect(w.gh.pull(REPOSITORY, stale)!.state).toBe('closed');
    expect(decisions(r)[stale]).toBe('reap:stale-closed');
    expect(json(r, 'reaped')).toContain(stale);
    expect(await gone(stale)).toBe(true);
    expect(w.gh.labels(REPOSITORY, idle)).toContain('preview-stale');
    expect(w.gh.pull(REPOSITORY, idle)!.state).toBe('open');
    expect(await whole(idle)).toBe(true);
  });

  it('a page of the PR list answering 409 aborts the whole run: open PRs past page 1 and even true orphans lose nothing; the error names the call', async () => {
    // Enough open PRs that the list needs a second page, whatever the numbers are.
    for (let i = 0; i < 100; i++) w.gh.openPullRequest(REPOSITORY, { title: `filler ${i}` });
    const live = [(await w.deploy()).pr, (await w.deploy({ expiresInMs: -H })).pr];
    const orphan = live[1]! + 1000;
    await w.orphan(orphan);
    w.gh.injectFault({
      method: 'GET',
      pathPattern: /^\/repos\/[^/]+\/[^/]+\/pulls$/,
      query: { page: /^([2-9]|\d\d+)$/ },
      status: 409,
    });
    const deletes = w.kube.counters()['delete namespaces'] ?? 0;
    const before = w.gh.requestLog().length;
    try {
      const r = await reap({ 'warn-before': '0s' });
      expect(r.exitCode, r.log).toBe(1);
      expect(r.log).toMatch(
        /::error::.*Listing open pull requests of acme\/web failed at page 2 \(GET \/repos\/acme\/web\/pulls\)/,
      );
      expect(r.leaks).toEqual([]);
    } finally {
      w.gh.clearFaults();
    }
    for (const n of [...live, orphan]) expect(await whole(n), `#${n}`).toBe(true);
    expect(w.kube.counters()['delete namespaces'] ?? 0).toBe(deletes);
    expect(
      w.gh
        .requestLog()
        .slice(before)
        .filter((x) => x.method !== 'GET'),
    ).toEqual([]);
    for (const n of live)
      expect(w.gh.deployments(REPOSITORY).find((d) => d.environment === `preview/pr-${n}`)?.state, `#${n}`).toBe(
        'success',
      );
    // With the list whole again the orphan goes (confirmed 404); the expired live PR is warned first.
    const again = await reap();
    expect(again.exitCode, again.log).toBe(0);
    expect(json<number[]>(again, 'reaped')).toContain(orphan);
    expect(decisions(again)[live[1]!]).toBe('warn:expired');
    for (const n of live) expect(await whole(n), `#${n}`).toBe(true);
  });

  it('the namespace API failing during a reap makes expiry unknown: an open, labelled, expired preview keeps its Vault path and ECR repository', async () => {
    const expired = (await w.deploy({ expiresInMs: -2 * H })).pr;
    const orphan = expired + 2000;
    await w.orphan(orphan, { kinds: ['vault', 'ecr'] });
    w.kube.scenarios.injectFault({ method: 'GET', pathPattern: /^\/api\/v1\/namespaces$/, status: 503 });
    let r: ActionRun;
    try {
      r = await reap({ 'warn-before': '0s' });
    } finally {
      w.kube.scenarios.clearFaults();
    }
    expect(r.exitCode, r.log).toBe(1);
    expect(r.log).toMatch(
      /::error::.*Listing namespaces failed; they are left for the next run: .*kubectl .*get namespaces/,
    );
    expect(decisions(r)[expired]).toBe('keep:expiry-unknown');
    expect(await whole(expired)).toBe(true);
    // A PR GitHub confirms missing (404) is still reaped from the kinds that did list.
    expect(decisions(r)[orphan]).toBe('reap:missing');
    expect(w.vaultPathExists(`preview/app-${orphan}`)).toBe(false);
    expect(await w.repositoryExists(`app-preview-${orphan}`)).toBe(false);
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs through the bundle, each with one ::error:: and nothing listed or deleted`, async () => {
    const before = { kube: w.kube.requestLog().length, gh: w.gh.requestLog().length, vault: w.vault.requestLog.length };
    for (const c of BAD_INPUTS) {
      const r = await runActionProcess(reaperDir, {
        inputs: c.inputs,
        event: {},
        eventName: 'schedule',
        repository: REPOSITORY,
        env: { ...w.env, AWS_REGION: '' },
        secrets: [w.gh.token],
      });
      expectInputRejected(r, c);
    }
    expect(w.kube.requestLog().length).toBe(before.kube);
    expect(w.gh.requestLog().length).toBe(before.gh);
    expect(w.vault.requestLog.length).toBe(before.vault);
  });
});
