/**
 * The reaper's sleep policy (issue 19 §2), pure: which open, opted-in previews have had no deploy
 * for `sleep-after` and are awake. Only facts count: a PR the list just showed open and labelled
 * (its plan is not a reap), a namespace of ours that is Active and carries `deployed-at`. A
 * namespace without `deployed-at` (deployed before it was recorded) has no idle clock: it is
 * left awake ("don't know" sleeps nothing) until its next deploy stamps one.
 */
import type { PrPlan } from './reap-plan.js';

export interface SleepCandidateNamespace {
  name: string;
  marks: { pr: number };
  phase?: string;
  deployedAt?: string;
  sleepingSince?: string;
}

export interface PlannedSleep {
  pr: number;
  namespaces: string[];
  /** The newest deploy across the PR's namespaces. */
  deployedAt: string;
}

/** PRs to put to sleep now; `sleepAfterMs` 0 turns the policy off. */
export function planSleep(
  namespaces: readonly SleepCandidateNamespace[],
  plans: readonly Pick<PrPlan, 'pr' | 'decision' | 'prState'>[],
  o: { now: number; sleepAfterMs: number },
): PlannedSleep[] {
  if (o.sleepAfterMs <= 0) return [];
  const open = new Set(plans.filter((p) => p.prState === 'open' && p.decision.action !== 'reap').map((p) => p.pr));
  const byPr = new Map<number, SleepCandidateNamespace[]>();
  for (const ns of namespaces) byPr.set(ns.marks.pr, [...(byPr.get(ns.marks.pr) ?? []), ns]);
  const out: PlannedSleep[] = [];
  for (const [pr, list] of [...byPr].sort((a, b) => a[0] - b[0])) {
    if (!open.has(pr)) continue;
    if (list.some((ns) => (ns.phase ?? 'Active') !== 'Active')) continue;
    const times = list.map((ns) => Date.parse(ns.deployedAt ?? ''));
    if (times.some((t) => Number.isNaN(t))) continue;
    const last = Math.max(...times);
    if (o.now - last < o.sleepAfterMs) continue;
    const awake = list.filter((ns) => !ns.sleepingSince).map((ns) => ns.name);
    if (awake.length) out.push({ pr, namespaces: awake, deployedAt: new Date(last).toISOString() });
  }
  return out;
}
