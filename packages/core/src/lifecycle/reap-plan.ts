/**
 * The reaper's decision, as a pure function of what exists (resources carrying our marks) and
 * what GitHub says (open PRs with labels), so every rule is table- and property-tested.
 *
 * Rules, per PR that owns anything:
 * 1. not among the open PRs (closed, merged, deleted, or its `closed` webhook was lost) → reap
 * 2. open but without the opt-in label → reap
 * 3. open, labelled, carrying the keep label → keep
 * 4. expired (now ≥ the last deploy's expires-at): reap once the PR was warned (or warnings are
 *    off); otherwise warn now and reap on a later run
 * 5. inside the warning window (now ≥ expires-at − warn-before) and not yet warned → warn
 * 6. otherwise keep
 * A PR is "warned" when its namespace carries a warned-at annotation newer than the start of the
 * current warning window (a redeploy moves expires-at and so invalidates an old warning).
 *
 * Expiry is one fact per PR: the latest expires-at across every kind that carries marks. When
 * one of those kinds was not listed (failed, or left out of `kinds`), the latest seen is only a
 * lower bound: it can still say "not expiring yet", never "expired" — rules 4 and 5 then keep
 * (`expiry-unknown`). "Missing" (rule 1) is only a candidate here; the reaper confirms it per PR.
 */
import type { PullRequestInfo } from '../context.js';
import type { OwnershipMarks } from '../marks.js';
import type { ResourceKind } from '../removal.js';

export interface InventoryItem {
  kind: ResourceKind;
  /** The resource's own name (namespace, repository, mount/path, environment). */
  name: string;
  marks: OwnershipMarks;
  /** ISO time the reaper last warned this PR (namespaces only). */
  warnedAt?: string;
}

export type Decision =
  | { action: 'keep'; reason: 'active' | 'keep-label' | 'warned-waiting' | 'expiry-unknown' | 'unconfirmed' }
  | { action: 'warn'; reason: 'expiring' | 'expired'; removeAt: string }
  | { action: 'reap'; reason: 'closed' | 'missing' | 'unlabelled' | 'expired' };

export interface PrPlan {
  pr: number;
  decision: Decision;
  /** When the preview expires (latest expires-at across its resources), if known. */
  expiresAt?: string;
  resources: InventoryItem[];
  /** The PR's state when GitHub knows it (open PRs only are listed; others are closed or missing). */
  prState: 'open' | 'closed-or-missing';
}

export interface ReapPolicy {
  now: number;
  label: string;
  keepLabel: string;
  warnBeforeMs: number;
  /**
   * False when a kind that carries expires-at was not listed this run: nothing is warned or
   * reaped on expiry grounds (default true).
   */
  expiryKnown?: boolean;
}

/** Groups the inventory by PR and decides each. PRs are ordered oldest expiry first. */
export function planReap(
  inventory: InventoryItem[],
  openPrs: PullRequestInfo[],
  policy: ReapPolicy,
  closedPrs: Set<number> = new Set(),
): PrPlan[] {
  const open = new Map(openPrs.map((p) => [p.number, p]));
  const byPr = new Map<number, InventoryItem[]>();
  for (const item of inventory) {
    const list = byPr.get(item.marks.pr) ?? [];
    list.push(item);
    byPr.set(item.marks.pr, list);
  }
  const plans: PrPlan[] = [];
  for (const [pr, resources] of byPr) {
    const expiries = resources
      .map((r) => r.marks.expiresAt)
      .filter((e): e is string => !!e && !Number.isNaN(Date.parse(e)));
    const expiresAt = expiries.length ? expiries.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : undefined;
    const warned = resources
      .map((r) => r.warnedAt)
      .filter((w): w is string => !!w)
      .sort()
      .pop();
    const info = open.get(pr);
    plans.push({
      pr,
      resources,
      expiresAt,
      prState: info ? 'open' : 'closed-or-missing',
      decision: decide(info, expiresAt, warned, policy, closedPrs.has(pr)),
    });
  }
  return plans.sort(
    (a, b) => (Date.parse(a.expiresAt ?? '') || 0) - (Date.parse(b.expiresAt ?? '') || 0) || a.pr - b.pr,
  );
}

function decide(
  pr: PullRequestInfo | undefined,
  expiresAt: string | undefined,
  warnedAt: string | undefined,
  policy: ReapPolicy,
  knownClosed: boolean,
): Decision {
  if (!pr) return { action: 'reap', reason: knownClosed ? 'closed' : 'missing' };
  if (pr.state === 'closed') return { action: 'reap', reason: 'closed' };
  if (!pr.labels.includes(policy.label)) return { action: 'reap', reason: 'unlabelled' };
  if (pr.labels.includes(policy.keepLabel)) return { action: 'keep', reason: 'keep-label' };
  if (!expiresAt) return { action: 'keep', reason: 'active' };
  const expiry = Date.parse(expiresAt);
  if (policy.expiryKnown === false && policy.now >= expiry - policy.warnBeforeMs)
    return { action: 'keep', reason: 'expiry-unknown' };
  const windowStart = expiry - policy.warnBeforeMs;
  const warned = warnedAt !== undefined && Date.parse(warnedAt) >= windowStart;
  if (policy.now >= expiry) {
    if (warned || policy.warnBeforeMs === 0) return { action: 'reap', reason: 'expired' };
    return { action: 'warn', reason: 'expired', removeAt: new Date(policy.now).toISOString() };
  }
  if (policy.now >= windowStart && policy.warnBeforeMs > 0) {
    return warned
      ? { action: 'keep', reason: 'warned-waiting' }
      : { action: 'warn', reason: 'expiring', removeAt: expiresAt };
  }
  return { action: 'keep', reason: 'active' };
}

/**
 * Stale PRs (like actions/stale): open, opted in, no activity for `staleDays` → marked stale (a
 * label plus a comment). Marking is itself activity (it moves `updated_at`), so a PR that carries
 * the stale label and stays idle `closeAfterDays` more is closed — and then torn down directly,
 * because a PR closed with GITHUB_TOKEN fires no `closed` workflow.
 */
export function planStale(
  openPrs: PullRequestInfo[],
  opts: {
    now: number;
    label: string;
    keepLabel: string;
    staleLabel: string;
    staleDays: number;
    closeAfterDays: number;
  },
): Array<{ pr: number; action: 'mark-stale' | 'close'; idleDays: number }> {
  if (opts.staleDays <= 0) return [];
  const out: Array<{ pr: number; action: 'mark-stale' | 'close'; idleDays: number }> = [];
  for (const pr of openPrs) {
    if (!pr.labels.includes(opts.label) || pr.labels.includes(opts.keepLabel) || !pr.updatedAt) continue;
    const idleDays = Math.floor((opts.now - Date.parse(pr.updatedAt)) / 86_400_000);
    if (pr.labels.includes(opts.staleLabel)) {
      if (opts.closeAfterDays > 0 && idleDays >= opts.closeAfterDays)
        out.push({ pr: pr.number, action: 'close', idleDays });
    } else if (idleDays >= opts.staleDays) {
      out.push({ pr: pr.number, action: 'mark-stale', idleDays });
    }
  }
  return out;
}
