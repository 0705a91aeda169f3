import { describe, expect, it } from 'vitest';
import { planSleep, type SleepCandidateNamespace } from '../../src/lifecycle/reap-sleep.js';
import type { PrPlan } from '../../src/lifecycle/reap-plan.js';

const H = 3_600_000;
const now = Date.parse('2026-03-02T12:00:00Z');
const ns = (pr: number, deployedAgoH: number | undefined, extra: Partial<SleepCandidateNamespace> = {}) => ({
  name: `preview-pr-${pr}`,
  marks: { pr },
  phase: 'Active',
  deployedAt: deployedAgoH === undefined ? undefined : new Date(now - deployedAgoH * H).toISOString(),
  ...extra,
});
const plan = (pr: number, over: Partial<PrPlan> = {}): Pick<PrPlan, 'pr' | 'decision' | 'prState'> => ({
  pr,
  decision: { action: 'keep', reason: 'active' },
  prState: 'open',
  ...over,
});

describe('planSleep', () => {
  it('sleeps open, opted-in previews idle for sleep-after; off when 0', () => {
    const namespaces = [ns(1, 3), ns(2, 1), ns(3, 5)];
    const plans = [plan(1), plan(2), plan(3, { decision: { action: 'keep', reason: 'keep-label' } })];
    expect(planSleep(namespaces, plans, { now, sleepAfterMs: 2 * H })).toEqual([
      { pr: 1, namespaces: ['preview-pr-1'], deployedAt: new Date(now - 3 * H).toISOString() },
      { pr: 3, namespaces: ['preview-pr-3'], deployedAt: new Date(now - 5 * H).toISOString() },
    ]);
    expect(planSleep(namespaces, plans, { now, sleepAfterMs: 0 })).toEqual([]);
  });

  it("don't know sleeps nothing: no deployed-at, a PR not confirmed open, one being reaped, a terminating namespace", () => {
    const namespaces = [
      ns(1, undefined),
      ns(2, 9),
      ns(3, 9),
      ns(4, 9, { phase: 'Terminating' }),
      ns(5, 9, { sleepingSince: '2026-03-01T00:00:00Z' }),
    ];
    const plans = [
      plan(1),
      plan(2, { prState: 'closed-or-missing', decision: { action: 'keep', reason: 'unconfirmed' } }),
      plan(3, { decision: { action: 'reap', reason: 'unlabelled' } }),
      plan(4),
      plan(5),
    ];
    expect(planSleep(namespaces, plans, { now, sleepAfterMs: H })).toEqual([]);
  });
});
