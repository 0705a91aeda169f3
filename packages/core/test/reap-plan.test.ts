import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planReap, planStale, runBounded, type InventoryItem } from '../src/lifecycle/index.js';
import { newMarks, type PullRequestInfo } from '../src/index.js';

const H = 3_600_000;
const now = Date.parse('2026-11-24T12:00:00Z');
const repo = 'acme/web';

function ns(pr: number, expiresInMs: number, warnedAt?: string): InventoryItem {
  const marks = newMarks({ repository: repo, pr, service: 'app', now: now + expiresInMs - 72 * H, ttlMs: 72 * H });
  return { kind: 'namespace', name: `preview-pr-${pr}`, marks, warnedAt };
}
function open(pr: number, labels = ['preview'], updatedAt = '2026-11-24T00:00:00Z'): PullRequestInfo {
  return {
    number: pr,
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
const policy = { now, label: 'preview', keepLabel: 'preview-keep', warnBeforeMs: 24 * H };

describe('planReap', () => {
  const cases: Array<[string, InventoryItem[], PullRequestInfo[], string, Set<number>?]> = [
    ['lost closed webhook: PR not open', [ns(1, 10 * H)], [], 'reap:missing'],
    ['closed PR known from GitHub', [ns(1, 10 * H)], [], 'reap:closed', new Set([1])],
    ['label removed', [ns(2, 50 * H)], [open(2, [])], 'reap:unlabelled'],
    ['active', [ns(3, 50 * H)], [open(3)], 'keep:active'],
    ['keep label beats expiry', [ns(4, -5 * H)], [open(4, ['preview', 'preview-keep'])], 'keep:keep-label'],
    ['expiring within warn-before → warn once', [ns(5, 10 * H)], [open(5)], 'warn:expiring'],
    [
      'already warned in this window → wait',
      [ns(6, 10 * H, new Date(now - H).toISOString())],
      [open(6)],
      'keep:warned-waiting',
    ],
    ['expired and warned → reap', [ns(7, -H, new Date(now - 20 * H).toISOString())], [open(7)], 'reap:expired'],
    ['expired, never warned → warn now, reap later', [ns(8, -H)], [open(8)], 'warn:expired'],
    [
      'warning from an older deploy does not count',
      [ns(9, 10 * H, new Date(now - 100 * H).toISOString())],
      [open(9)],
      'warn:expiring',
    ],
  ];
  it.each(cases)('%s', (_d, inventory, prs, expected, closed) => {
    const [plan] = planReap(inventory, prs, policy, closed);
    expect(`${plan!.decision.action}:${plan!.decision.reason}`).toBe(expected);
  });

  it('expiry unknown (a kind not listed): what the listed kinds say is a lower bound, so it keeps but never warns or reaps for expiry', () => {
    const unknown = { ...policy, expiryKnown: false };
    const decided = (item: InventoryItem, prs: PullRequestInfo[]) => {
      const d = planReap([item], prs, unknown)[0]!.decision;
      return `${d.action}:${d.reason}`;
    };
    expect(decided(ns(7, -H, new Date(now - 20 * H).toISOString()), [open(7)])).toBe('keep:expiry-unknown');
    expect(decided(ns(5, 10 * H), [open(5)])).toBe('keep:expiry-unknown');
    expect(decided(ns(3, 50 * H), [open(3)])).toBe('keep:active');
    expect(decided(ns(2, -H), [open(2, [])])).toBe('reap:unlabelled');
    expect(decided(ns(1, -H), [])).toBe('reap:missing');
  });

  it('groups every resource kind of a PR under one decision', () => {
    const m = ns(10, 10 * H).marks;
    const items: InventoryItem[] = [
      ns(10, 10 * H),
      { kind: 'ecr-repository', name: 'app-preview-10', marks: m },
      { kind: 'vault-path', name: 'secret/preview/app-10', marks: m },
    ];
    const plans = planReap(items, [], policy);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.resources.map((r) => r.kind)).toEqual(['namespace', 'ecr-repository', 'vault-path']);
  });

  it('never reaps an open, labelled, unexpired PR (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pr: fc.integer({ min: 1, max: 50 }), h: fc.integer({ min: 25, max: 500 }) })),
        (rows) => {
          const inventory = rows.map((r) => ns(r.pr, r.h * H));
          const prs = [...new Set(rows.map((r) => r.pr))].map((n) => open(n));
          for (const p of planReap(inventory, prs, policy)) expect(p.decision.action).toBe('keep');
        },
      ),
    );
  });
});

describe('planStale', () => {
  const day = 86_400_000;
  const opts = {
    now,
    label: 'preview',
    keepLabel: 'preview-keep',
    staleLabel: 'preview-stale',
    staleDays: 14,
    closeAfterDays: 7,
  };
  it('marks idle PRs, closes marked ones after the grace period, spares keep-labelled ones', () => {
    const prs = [
      open(1, ['preview'], new Date(now - 15 * day).toISOString()),
      open(2, ['preview', 'preview-stale'], new Date(now - 8 * day).toISOString()),
      open(3, ['preview', 'preview-stale'], new Date(now - 2 * day).toISOString()),
      open(4, ['preview', 'preview-keep'], new Date(now - 90 * day).toISOString()),
      open(5, ['preview'], new Date(now - 3 * day).toISOString()),
    ];
    expect(planStale(prs, opts)).toEqual([
      { pr: 1, action: 'mark-stale', idleDays: 15 },
      { pr: 2, action: 'close', idleDays: 8 },
    ]);
    expect(planStale(prs, { ...opts, staleDays: 0 })).toEqual([]);
  });
});

describe('runBounded', () => {
  it('keeps at most `concurrency` in flight and stops at `limit`', async () => {
    let inFlight = 0;
    let peak = 0;
    const res = await runBounded([...Array(10).keys()], { concurrency: 3, limit: 7 }, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await Promise.resolve();
      await Promise.resolve();
      inFlight--;
      if (i === 2) throw new Error('two');
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(res.filter((r) => r.started)).toHaveLength(7);
    expect(res[1]!.result).toBe(2);
    expect((res[2]!.error as Error).message).toBe('two');
    expect(res[9]!.started).toBe(false);
  });
});
