/**
 * deploy-helm's guards, bundled and runner-style: unmarked namespace refused, closed or unlabelled
 * PR skipped, max-previews enforced, bad inputs refused before any request.
 */
import { describe, expect, it } from 'vitest';
import { fromKube, newMarks } from '@preview-fleet/core';
import { namespaceManifest } from '@preview-fleet/core/kube';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { BAD_INPUTS as ALL_BAD_INPUTS } from './bad-inputs.js';
import { deploy, errorOf, helmJson, ok, openPr, useWorld } from './deploy-helm-suite.js';
import { actionDir, chartDir, createBeforeFirstWrite, leavePendingUpgrade, REPOSITORY } from './fixture.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

const world = useWorld();
const BAD_INPUTS = ALL_BAD_INPUTS.filter((c) => c.bundle);

describe('guards (no release is touched)', () => {
  it('refuses an existing namespace without our marks, creating nothing in it', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    world().kube.store.create(world().kube.store.types.get('', 'v1', 'namespaces')!, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { team: 'payments' } },
    });
    const r = await deploy(3, pr);
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toContain(
      `Namespace "${ns}" exists but does not carry preview-fleet's marks; refusing to deploy into it`,
    );
    expect(world().get('resourcequotas', ns, 'preview-fleet')).toBeUndefined();
    expect(world().get('namespaces', undefined, ns)!.metadata.labels).toEqual({
      team: 'payments',
      'kubernetes.io/metadata.name': ns,
    });
    expect(world().kube.store.list(world().kube.store.types.get('', 'v1', 'secrets')!, ns)).toEqual([]);
  });

  it('a namespace someone else creates between the read and the create is refused, not taken over', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const fired = createBeforeFirstWrite(world(), ns, { team: 'payments' });
    const r = await deploy(4, pr);
    expect(fired()).toBe(1);
    expect(r.exitCode).toBe(1);
    expect(r.leaks).toEqual([]);
    expect(errorOf(r)).toContain(
      `Namespace "${ns}" exists but does not carry preview-fleet's marks; refusing to deploy into it`,
    );
    const namespace = world().get('namespaces', undefined, ns)!;
    expect(namespace.metadata.labels).toEqual({ team: 'payments', 'kubernetes.io/metadata.name': ns });
    expect(namespace.metadata.annotations ?? {}).toEqual({});
    expect(
      (namespace.metadata as { managedFields?: Array<{ manager: string }> }).managedFields?.map((f) => f.manager) ?? [],
    ).not.toContain('preview-fleet');
    expect(world().get('resourcequotas', ns, 'preview-fleet')).toBeUndefined();
    expect(world().kube.store.list(world().kube.store.types.get('', 'v1', 'secrets')!, ns)).toEqual([]);
  });

  it("a namespace this PR's other service creates meanwhile (marked for this PR) is used: the deploy goes on", async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const other = namespaceManifest(
      ns,
      newMarks({ repository: REPOSITORY, pr: pr.number, service: 'worker', now: Date.now(), ttlMs: 3600_000 }),
    );
    const fired = createBeforeFirstWrite(world(), ns, other.metadata.labels!, other.metadata.annotations!);
    const r = ok(await deploy(4, pr));
    expect(fired()).toBe(1);
    expect(r.outputs.status).toBe('deployed');
    expect(r.log).toContain(`Refreshed namespace ${ns}`);
    expect(world().get('namespaces', undefined, ns)!.metadata.annotations!['preview-fleet.dev/services']).toBe(
      'app,worker',
    );
  });

  it('skips a PR that closed (or lost its label) before the deploy, creating nothing', async () => {
    const closed = openPr();
    world().gh.closePullRequest(REPOSITORY, closed.number);
    const unlabelled = openPr([]);
    for (const [pr, reason] of [
      [closed, 'is closed'],
      [unlabelled, 'no longer has the "preview" label'],
    ] as const) {
      const r = ok(await deploy(4, pr));
      expect(r.outputs).toMatchObject({ status: 'skipped', namespace: `preview-pr-${pr.number}`, revision: '' });
      expect(r.annotations.find((a) => a.level === 'notice')?.message).toBe(
        `Not deploying: pull request #${pr.number} ${reason}.`,
      );
      expect(world().get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
    }
  });

  it("skips a re-run of an older workflow run: its head SHA is no longer the PR's head (status=skipped, nothing created)", async () => {
    const pr = openPr();
    const newer = world().gh.pushCommit(REPOSITORY, pr.number);
    const r = ok(await deploy(4, pr, { image: 'registry.example.com/acme/kube:preview-old' }, pr.headSha));
    expect(r.outputs).toMatchObject({ status: 'skipped', namespace: `preview-pr-${pr.number}`, revision: '' });
    expect(r.annotations.find((a) => a.level === 'notice')?.message).toBe(
      `Not deploying: this run is for commit ${pr.headSha.slice(0, 12)} but pull request #${pr.number}'s head is now ${newer.slice(0, 12)} (a re-run of an older workflow run); the run for the new head deploys it.`,
    );
    expect(world().get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
    // The run for the head itself deploys.
    expect(ok(await deploy(4, pr, {}, newer)).outputs.status).toBe('deployed');
  });

  it('a release pending for less than stuck-after is another deploy at work: fails saying so, and neither rolls back, uninstalls nor writes anything', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const release = `app-pr-${pr.number}`;
    ok(await deploy(3, pr));
    const pending = leavePendingUpgrade(world(), ns, release, 40_000);
    const next = { ...pr, headSha: world().gh.pushCommit(REPOSITORY, pr.number) };
    const helmCallsBefore = world()
      .kube.requestLog()
      .filter((e) => e.method !== 'GET').length;
    const r = await deploy(3, next, { 'stuck-after': '3m' });
    expect(r.exitCode).toBe(1);
    expect(r.leaks).toEqual([]);
    expect(errorOf(r)).toMatch(
      new RegExp(
        `^Release "${release}" in "${ns}" is pending-upgrade \\(revision ${pending}, last updated 4\\ds ago\\): ` +
          'another deploy appears to be running it right now\\. A pending release is treated as stuck \\(and rolled back or uninstalled\\) only once it is older than stuck-after \\(3m\\); not deploying\\.',
      ),
    );
    // Nothing was written: no rollback, no uninstall, the namespace's marks still name the first commit.
    expect(
      world()
        .kube.requestLog()
        .filter((e) => e.method !== 'GET').length,
    ).toBe(helmCallsBefore);
    expect((await helmJson(3, ['status', release, '--namespace', ns])).info.status).toBe('pending-upgrade');
    expect(world().get('namespaces', undefined, ns)!.metadata.annotations!['preview-fleet.dev/head-sha']).toBe(
      pr.headSha,
    );
  });

  it('max-previews with cap-policy fail: a deploy over the cap fails naming the cap and the previews holding it, creating nothing', async () => {
    const namespaces = world().kube.store.types.get('', 'v1', 'namespaces')!;
    for (const [n, day] of [
      [901, '01'],
      [902, '02'],
    ] as const) {
      const marks = newMarks({
        repository: REPOSITORY,
        pr: n,
        now: Date.parse(`2020-01-${day}T00:00:00Z`),
        ttlMs: 3600_000,
      });
      world().kube.store.create(namespaces, namespaceManifest(`preview-pr-${n}`, marks) as any);
    }
    const marked = world()
      .kube.store.list(namespaces)
      .filter((n: any) => fromKube(n.metadata.labels, n.metadata.annotations));
    const pr = openPr();
    const r = await deploy(4, pr, { 'max-previews': String(marked.length), 'cap-policy': 'fail' });
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toMatch(
      new RegExp(
        `The cap of ${marked.length} preview\\(s\\) is reached \\(${marked.length} awake\\); not deploying PR #${pr.number}\\. Holding it: PR #901 \\(preview-pr-901, last deployed 2020-01-01T00:00:00.000Z\\), PR #902`,
      ),
    );
    expect(world().get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
  });

  it("refuses a fork PR's head (pull_request and pull_request_target) before any request to the cluster or GitHub (issue 14 item 14)", async () => {
    const pr = openPr();
    const before = { kube: world().kube.requestLog().length, gh: world().gh.requestLog().length };
    const runs = await Promise.all(
      ['pull_request', 'pull_request_target'].map((eventName) =>
        runActionProcess(actionDir, {
          inputs: { chart: chartDir, 'github-token': world().gh.token, domain: 'preview.example.com' },
          event: pullRequestEvent('synchronize', {
            number: pr.number,
            repository: REPOSITORY,
            headSha: pr.headSha,
            labels: ['preview'],
            fork: true,
          }),
          eventName,
          repository: REPOSITORY,
          env: world().env(4),
          secrets: [world().gh.token],
          timeoutMs: 30_000,
        }),
      ),
    );
    for (const r of runs) {
      expect(r.exitCode, r.log).toBe(1);
      expect(errorOf(r)).toContain(`Refusing to deploy for PR #${pr.number}: its head`);
      expect(errorOf(r)).toContain('comes from a fork');
      expect(errorOf(r)).toContain('https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/');
      expect(r.leaks).toEqual([]);
    }
    expect(world().kube.requestLog().length).toBe(before.kube);
    expect(world().gh.requestLog().length).toBe(before.gh);
    expect(world().get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs, each with one clear ::error:: and no request to the cluster or GitHub`, async () => {
    const before = { kube: world().kube.requestLog().length, gh: world().gh.requestLog().length };
    // Four processes at a time: each is a cold Node start, and nothing here touches shared state.
    const runs = await inBatches(BAD_INPUTS, 4, (c) =>
      runActionProcess(actionDir, {
        inputs: { chart: chartDir, 'github-token': world().gh.token, ...c.inputs },
        event: pullRequestEvent('opened', { number: 77, repository: REPOSITORY, labels: ['preview'] }),
        eventName: 'pull_request',
        repository: REPOSITORY,
        env: world().env(4),
        timeoutMs: 30_000,
      }),
    );
    for (const [i, c] of BAD_INPUTS.entries()) {
      const r = runs[i]!;
      expectInputRejected(r, c);
    }
    expect(world().kube.requestLog().length).toBe(before.kube);
    expect(world().gh.requestLog().length).toBe(before.gh);
  });
});

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
