import { describe, expect, it } from 'vitest';
import {
  reapOrphans,
  renderReapPlan,
  REAP_KINDS,
  type ReaperPorts,
  type ReapOptions,
} from '../../src/lifecycle/index.js';
import { newMarks, type PullRequestInfo, type RemovalResult } from '../../src/index.js';

const H = 3_600_000;
const now = Date.parse('2026-11-24T12:00:00Z');
const repository = 'acme/web';

function pr(number: number, labels = ['preview'], updatedAt = new Date(now - H).toISOString()): PullRequestInfo {
  return {
    number,
    state: 'open',
    merged: false,
    headSha: 'a',
    headRef: 'b',
    baseRef: 'main',
    author: 'x',
    labels,
    isFork: false,
    updatedAt,
  };
}

type Kind = 'namespaces' | 'vault' | 'ecr';

/**
 * Previews (one namespace + one Vault path + one ECR repository each) and PRs, in memory; every
 * write is logged. `open` are the open PRs (what GET /pulls/{n} answers; others are 404 unless in
 * `closed`); `gh.listed` overrides what the list returns (a list that shifted), `gh.listFails` makes
 * it throw, `gh.getFails` makes single reads throw.
 */
function world(
  previews: Array<{ pr: number; expiresInH: number; warnedAt?: string; vaultOnly?: boolean }>,
  open: PullRequestInfo[],
  failList?: Kind,
) {
  const writes: string[] = [];
  const ns = new Map(previews.filter((p) => !p.vaultOnly).map((p) => [`preview-pr-${p.pr}`, { ...p }]));
  const vault = new Set(previews.map((p) => `preview/app-${p.pr}`));
  const ecr = new Set(previews.filter((p) => !p.vaultOnly).map((p) => `app-preview-${p.pr}`));
  const gh = {
    listed: undefined as PullRequestInfo[] | undefined,
    listFails: false,
    getFails: new Set<number>(),
    closed: new Set<number>(),
    gets: [] as number[],
  };
  const marks = (n: number) => {
    const p = previews.find((x) => x.pr === n)!;
    return newMarks({ repository, pr: n, service: 'app', now: now + p.expiresInH * H - 72 * H, ttlMs: 72 * H });
  };
  const del = (kind: RemovalResult['kind'], set: { delete(k: string): boolean }, name: string): RemovalResult => {
    writes.push(`delete ${name}`);
    return { kind, name, status: set.delete(name) ? 'deleted' : 'already-gone' };
  };
  const ports: ReaperPorts = {
    listOpenPullRequests: async () => {
      if (gh.listFails)
        throw new Error(
          'Listing open pull requests of acme/web failed at page 2 (GET /repos/acme/web/pulls): Conflict',
        );
      return gh.listed ?? open;
    },
    getPullRequest: async (n) => {
      gh.gets.push(n);
      if (gh.getFails.has(n)) throw new Error(`Cannot read pull request #${n} of acme/web: Server Error`);
      if (gh.closed.has(n)) return { ...pr(n), state: 'closed' };
      return open.find((p) => p.number === n);
    },
    listNamespaces: async () => {
      if (failList === 'namespaces') throw new Error('kubectl: the server is currently unable to handle the request');
      return [...ns.entries()].map(([name, p]) => ({ name, marks: marks(p.pr), warnedAt: p.warnedAt }));
    },
    listRepositories: async () => {
      if (failList === 'ecr') throw new Error('ECR ServiceUnavailable');
      return [...ecr].map((name) => ({ name, marks: marks(Number(name.split('-').pop())) }));
    },
    listVaultPaths: async () => {
      if (failList === 'vault') throw new Error('Vault 503');
      return [...vault].map((path) => ({ path, marks: marks(Number(path.split('-').pop())) }));
    },
    warnOfRemoval: async (plan, removeAt) => {
      writes.push(`warn #${plan.pr} at ${removeAt}`);
      const n = ns.get(`preview-pr-${plan.pr}`);
      if (n) n.warnedAt = new Date(now).toISOString();
    },
    markStale: async (n) => {
      writes.push(`stale #${n}`);
    },
    closePullRequest: async (n) => {
      writes.push(`close #${n}`);
    },
    teardown: {
      uninstallRelease: async (t) => del('release', new Set(), t.release),
      deleteNamespace: async (name) => del('namespace', ns, name),
      deleteMarkedNamespaces: async (items) => items.map((i) => del('namespace', ns, i.name)),
      removeVaultPath: async (p) => del('vault-path', vault, p),
      removeRepository: async (name) => del('ecr-repository', ecr, name),
    },
  };
  return { ports, writes, ns, vault, ecr, gh };
}

const opts = (o: Partial<ReapOptions> = {}): ReapOptions => ({
  repository,
  now,
  label: 'preview',
  keepLabel: 'preview-keep',
  ttlMs: 72 * H,
  warnBeforeMs: 24 * H,
  staleDays: 0,
  closeAfterDays: 7,
  staleLabel: 'preview-stale',
  dryRun: false,
  maxDeletions: 20,
  concurrency: 5,
  kinds: new Set(REAP_KINDS),
  ...o,
});

describe('reapOrphans', () => {
  it('reaps a lost closed webhook and an unlabelled PR, keeps active and keep-labelled, warns the expiring once', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: 40 },
        { pr: 2, expiresInH: 40 },
        { pr: 3, expiresInH: 40 },
        { pr: 4, expiresInH: -5 },
        { pr: 5, expiresInH: 10 },
      ],
      [pr(2, []), pr(3), pr(4, ['preview', 'preview-keep']), pr(5)],
    );
    const out = await reapOrphans(w.ports, opts());
    expect(out.plan.map((p) => [p.pr, `${p.decision.action}:${p.decision.reason}`])).toEqual([
      [4, 'keep:keep-label'],
      [5, 'warn:expiring'],
      [1, 'reap:missing'],
      [2, 'reap:unlabelled'],
      [3, 'keep:active'],
    ]);
    expect(out.reaped).toEqual([1, 2]);
    expect(out.kept).toEqual([4, 3]);
    expect(out.warned).toEqual([5]);
    expect([...w.ns.keys()].sort()).toEqual(['preview-pr-3', 'preview-pr-4', 'preview-pr-5']);
    expect([...w.vault].sort()).toEqual(['preview/app-3', 'preview/app-4', 'preview/app-5']);
    expect(out.failed).toBe(false);
    // Next run: already warned in this window → waits; nothing new is written.
    const again = await reapOrphans(w.ports, opts());
    expect(again.plan.find((p) => p.pr === 5)!.decision).toEqual({ action: 'keep', reason: 'warned-waiting' });
    expect(w.writes.filter((x) => x.startsWith('warn'))).toHaveLength(1);
  });

  it('expired: warns first, reaps on the next run after the warning', async () => {
    const w = world([{ pr: 8, expiresInH: -1 }], [pr(8)]);
    const first = await reapOrphans(w.ports, opts());
    expect(first.warned).toEqual([8]);
    expect(first.reaped).toEqual([]);
    const second = await reapOrphans(w.ports, opts({ now: now + H }));
    expect(second.reaped).toEqual([8]);
    expect(w.ns.size).toBe(0);
  });

  it('dry-run decides but writes nothing at all', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: 40 },
        { pr: 5, expiresInH: 10 },
        { pr: 6, expiresInH: 40 },
      ],
      [pr(5), pr(6, ['preview', 'preview-stale'], new Date(now - 9 * 24 * H).toISOString())],
    );
    const out = await reapOrphans(w.ports, opts({ dryRun: true, staleDays: 14 }));
    expect(w.writes).toEqual([]);
    expect(out.reaped).toEqual([]);
    expect(out.plan.map((p) => [p.pr, p.decision.action])).toEqual([
      [5, 'warn'],
      [1, 'reap'],
      [6, 'reap'],
    ]);
    expect(renderReapPlan(out.plan, { dryRun: true })).toContain('| #1 | reap (dry-run) |');
  });

  it('max-deletions: tears down the oldest N and defers the rest', async () => {
    const w = world(
      [1, 2, 3, 4, 5].map((n) => ({ pr: n, expiresInH: 10 * n })),
      [],
    );
    const out = await reapOrphans(w.ports, opts({ maxDeletions: 2 }));
    expect(out.reaped).toEqual([1, 2]);
    expect(out.deferred).toEqual([3, 4, 5]);
    expect(w.ns.size).toBe(3);
    expect(renderReapPlan(out.plan, { dryRun: false })).toContain('reap (deferred: max-deletions)');
  });

  it('stale PRs: marks idle ones, closes marked ones after the grace period and tears them down in the same run', async () => {
    const w = world(
      [
        { pr: 7, expiresInH: 40 },
        { pr: 9, expiresInH: 40 },
      ],
      [
        pr(7, ['preview', 'preview-stale'], new Date(now - 8 * 24 * H).toISOString()),
        pr(9, ['preview'], new Date(now - 15 * 24 * H).toISOString()),
      ],
    );
    const out = await reapOrphans(w.ports, opts({ staleDays: 14, closeAfterDays: 7 }));
    expect(w.writes.slice(0, 2)).toEqual(['close #7', 'stale #9']);
    expect(out.closed).toEqual([7]);
    expect(out.plan.find((p) => p.pr === 7)!.decision).toEqual({ action: 'reap', reason: 'stale-closed' });
    expect(out.reaped).toEqual([7]);
    expect([...w.ns.keys()]).toEqual(['preview-pr-9']);
  });

  it('a kind whose listing fails is left for the next run; the rest is reaped and the run fails at the end', async () => {
    const w = world([{ pr: 1, expiresInH: 40 }], [], 'vault');
    const out = await reapOrphans(w.ports, opts());
    expect(out.reaped).toEqual([1]);
    expect(w.ns.size).toBe(0);
    expect(w.vault.size).toBe(1);
    expect(out.errors).toEqual(['Listing Vault paths failed; they are left for the next run: Vault 503']);
    expect(out.failed).toBe(true);
  });

  it('leftovers without a namespace cannot record a warning: kept until expiry, reaped after', async () => {
    const w = world(
      [
        { pr: 3, expiresInH: 10, vaultOnly: true },
        { pr: 4, expiresInH: -1, vaultOnly: true },
      ],
      [pr(3), pr(4)],
    );
    const out = await reapOrphans(w.ports, opts());
    expect(out.plan.map((p) => [p.pr, `${p.decision.action}:${p.decision.reason}`])).toEqual([
      [4, 'reap:expired'],
      [3, 'keep:active'],
    ]);
    expect(w.writes).toEqual(['delete preview/app-4']);
  });

  it('a PR list that fails on any page aborts the run: nothing deleted, warned, labelled or closed; the error names the call', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: 40 },
        { pr: 2, expiresInH: -5 },
        { pr: 3, expiresInH: 10 },
      ],
      [pr(2), pr(3)],
    );
    w.gh.listFails = true;
    await expect(reapOrphans(w.ports, opts({ staleDays: 1 }))).rejects.toThrow(
      /failed at page 2 \(GET \/repos\/acme\/web\/pulls\)/,
    );
    expect(w.writes).toEqual([]);
    expect(w.ns.size + w.vault.size + w.ecr.size).toBe(9);
  });

  it('closed or missing only when GitHub says so about that PR: one left out of a shifted list but open now is kept', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: 40 },
        { pr: 2, expiresInH: 40 },
        { pr: 3, expiresInH: 40 },
      ],
      [pr(2), pr(3)],
    );
    w.gh.closed.add(1);
    w.gh.listed = [pr(2)]; // #3 shifted past the listing (a PR before it closed mid-listing)
    const out = await reapOrphans(w.ports, opts());
    expect(out.plan.map((p) => [p.pr, `${p.decision.action}:${p.decision.reason}`])).toEqual([
      [1, 'reap:closed'],
      [2, 'keep:active'],
      [3, 'keep:active'],
    ]);
    expect(w.gh.gets.sort()).toEqual([1, 3]);
    expect(out.reaped).toEqual([1]);
    expect([...w.ns.keys()].sort()).toEqual(['preview-pr-2', 'preview-pr-3']);
    expect([...w.ecr].sort()).toEqual(['app-preview-2', 'app-preview-3']);
    expect(out.failed).toBe(false);
  });

  it('a confirmation GitHub cannot answer keeps that PR ("don\'t know") and fails the run; the others are still reaped', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: 40 },
        { pr: 2, expiresInH: 41 },
      ],
      [],
    );
    w.gh.getFails.add(1);
    const out = await reapOrphans(w.ports, opts());
    expect(out.plan.map((p) => [p.pr, `${p.decision.action}:${p.decision.reason}`])).toEqual([
      [1, 'keep:unconfirmed'],
      [2, 'reap:missing'],
    ]);
    expect(out.reaped).toEqual([2]);
    expect(w.vault.has('preview/app-1') && w.ns.has('preview-pr-1') && w.ecr.has('app-preview-1')).toBe(true);
    expect(out.errors).toEqual([
      'Confirming that PR #1 is closed (GET /repos/acme/web/pulls/1) failed; it is kept this run: Cannot read pull request #1 of acme/web: Server Error',
    ]);
    expect(out.failed).toBe(true);
  });

  it('max-deletions bounds the confirmations too; a candidate past the limit is never reaped unconfirmed', async () => {
    const w = world(
      [1, 2, 3].map((n) => ({ pr: n, expiresInH: 10 * n })),
      [pr(1)],
    );
    w.gh.listed = []; // #1 open but missing from the list: it frees its slot, #2 and #3 wait unconfirmed
    const out = await reapOrphans(w.ports, opts({ maxDeletions: 1 }));
    expect(w.gh.gets).toEqual([1]);
    expect(out.reaped).toEqual([]);
    expect(out.deferred).toEqual([2, 3]);
    expect(w.ns.size).toBe(3);
    expect(renderReapPlan(out.plan, { dryRun: false })).toContain(
      '| #2 | reap (deferred: max-deletions) | not among the open PRs (confirmed with GitHub when its turn comes)',
    );
  });

  it('the namespace list failing makes expiry unknown: open PRs lose nothing, no warning; a confirmed missing PR is reaped from the kinds that listed', async () => {
    const w = world(
      [
        { pr: 1, expiresInH: -5, warnedAt: new Date(now - 30 * H).toISOString() },
        { pr: 2, expiresInH: 10 },
        { pr: 3, expiresInH: 40 },
      ],
      [pr(1), pr(2)],
      'namespaces',
    );
    const out = await reapOrphans(w.ports, opts());
    expect(out.plan.map((p) => [p.pr, `${p.decision.action}:${p.decision.reason}`])).toEqual([
      [1, 'keep:expiry-unknown'],
      [2, 'keep:expiry-unknown'],
      [3, 'reap:missing'],
    ]);
    expect(w.writes.sort()).toEqual(['delete app-preview-3', 'delete preview/app-3']);
    expect([...w.vault].sort()).toEqual(['preview/app-1', 'preview/app-2']);
    expect([...w.ecr].sort()).toEqual(['app-preview-1', 'app-preview-2']);
    expect(out.errors[0]).toMatch(/^Listing namespaces failed; they are left for the next run/);
    expect(out.failed).toBe(true);
  });

  it.each([
    ['ECR listing fails', 'ecr' as const, REAP_KINDS],
    ['ecr left out of kinds', undefined, REAP_KINDS.filter((k) => k !== 'ecr')],
    ['vault left out of kinds', undefined, REAP_KINDS.filter((k) => k !== 'vault')],
  ])('%s: nothing is reaped or warned for expiry that run', async (_d, fail, kinds) => {
    const w = world(
      [
        { pr: 1, expiresInH: -5, warnedAt: new Date(now - 30 * H).toISOString() },
        { pr: 2, expiresInH: 10 },
      ],
      [pr(1), pr(2)],
      fail,
    );
    const out = await reapOrphans(w.ports, opts({ kinds: new Set(kinds) }));
    expect(out.plan.map((p) => `${p.decision.action}:${p.decision.reason}`)).toEqual([
      'keep:expiry-unknown',
      'keep:expiry-unknown',
    ]);
    expect(w.writes).toEqual([]);
  });
});
