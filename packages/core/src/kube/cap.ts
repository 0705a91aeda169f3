/**
 * The `max-previews` cap (issue 19 §3): a budget of *awake* previews per repository, arbitrated
 * by the cluster. The slots live in one marked `coordination.k8s.io/v1` Lease (`cap-lease.ts`)
 * written with resourceVersion preconditions, so two deploys racing for the last slot cannot both
 * win. This file is the pure part: which previews hold a slot, and what a deploy does when none is
 * free — put the least recently deployed preview to sleep, or fail naming the cap and its holders.
 */
import { ActionError } from '../runtime/errors.js';

/** What the cap sees of one preview namespace of this repository. */
export interface CapNamespace {
  name: string;
  pr: number;
  /** When its last deploy applied it (or its created-at for one deployed before deployed-at existed). */
  deployedAt: string;
  sleeping: boolean;
  phase?: string;
}

/**
 * The Lease's record: `slots` PR → ISO time of its last claim (a deploy); `asleep` PR → when a
 * claim evicted it. An evicted preview's namespace may still look awake for a moment (it is put
 * to sleep after the claim is written), so it does not count again until a deploy claims it.
 */
export interface SlotRecord {
  slots: Record<string, string>;
  asleep: Record<string, string>;
}

export interface Slot {
  pr: number;
  /** Last deploy or claim, whichever is newer: the LRU order. */
  at: string;
  /** Its awake namespaces; empty for a deploy in flight (claimed, namespace not made yet). */
  namespaces: string[];
}

export type CapPolicy = 'sleep' | 'fail';
export const CAP_POLICIES: readonly CapPolicy[] = ['sleep', 'fail'];

export type SlotDecision =
  | { action: 'hold' | 'claim'; record: SlotRecord }
  | { action: 'evict'; record: SlotRecord; victim: Slot }
  | { action: 'full'; holders: Slot[] };

const later = (a: string | undefined, b: string | undefined): string =>
  !a ? (b ?? '') : !b ? a : Date.parse(a) >= Date.parse(b) ? a : b;

/**
 * The slots taken now: every awake, active preview namespace (the cluster's fact, so a preview
 * deployed before the Lease existed counts too), plus claims younger than `graceMs` whose
 * namespace is not there yet (a deploy in flight). A claim whose preview sleeps or is gone frees its slot.
 */
export function takenSlots(
  record: SlotRecord,
  namespaces: readonly CapNamespace[],
  now: number,
  graceMs: number,
): Slot[] {
  const slots = new Map<number, Slot>();
  for (const ns of namespaces) {
    if (ns.sleeping || (ns.phase ?? 'Active') !== 'Active') continue;
    if (record.asleep[String(ns.pr)] !== undefined) continue;
    const s = slots.get(ns.pr) ?? { pr: ns.pr, at: '', namespaces: [] };
    s.at = later(s.at, ns.deployedAt);
    s.namespaces.push(ns.name);
    slots.set(ns.pr, s);
  }
  const known = new Set(namespaces.map((n) => n.pr));
  for (const [key, at] of Object.entries(record.slots)) {
    const pr = Number(key);
    const s = slots.get(pr);
    if (s) s.at = later(s.at, at);
    else if (!known.has(pr) && now - Date.parse(at) < graceMs) slots.set(pr, { pr, at, namespaces: [] });
  }
  return [...slots.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.pr - b.pr);
}

/**
 * What deploying `pr` does to the slots (`max` ≥ 1): keep its own slot (`hold`), take a free one
 * (`claim`), or — full — take the least recently deployed preview's slot (`evict`, policy sleep;
 * never a deploy in flight, which has no namespace to sleep) or report `full` with the holders.
 */
export function decideSlot(
  slots: readonly Slot[],
  pr: number,
  max: number,
  policy: CapPolicy,
  now: number,
  asleep: Record<string, string> = {},
): SlotDecision {
  const at = new Date(now).toISOString();
  const record: SlotRecord = {
    slots: Object.fromEntries(slots.map((s) => [String(s.pr), s.at])),
    asleep: { ...asleep },
  };
  record.slots[String(pr)] = at;
  delete record.asleep[String(pr)];
  if (slots.some((s) => s.pr === pr)) return { action: 'hold', record };
  if (slots.length < max) return { action: 'claim', record };
  const victim = policy === 'sleep' ? slots.find((s) => s.namespaces.length > 0) : undefined;
  if (!victim) return { action: 'full', holders: [...slots] };
  delete record.slots[String(victim.pr)];
  record.asleep[String(victim.pr)] = at;
  return { action: 'evict', record, victim };
}

/** The error of a full cap: the cap, who holds it (oldest first) and what to do. */
export function capFullError(max: number, pr: number, holders: readonly Slot[], policy: CapPolicy): ActionError {
  const shown = holders
    .slice(0, 5)
    .map((s) => `PR #${s.pr} (${s.namespaces.join(', ') || 'deploying now'}, last deployed ${s.at || 'unknown'})`);
  const more = holders.length > 5 ? ` and ${holders.length - 5} more` : '';
  return new ActionError(
    `The cap of ${max} preview(s) is reached (${holders.length} awake); not deploying PR #${pr}. Holding it: ${shown.join(', ')}${more}`,
    {
      hint:
        policy === 'fail'
          ? 'Close or unlabel a preview, raise max-previews, or set cap-policy: sleep to put the least recently deployed one to sleep'
          : 'Every slot is held by a deploy still in flight; try again when one finishes, or raise max-previews',
    },
  );
}
