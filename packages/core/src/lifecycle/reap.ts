/**
 * The reaper's story: inventory everything carrying our marks for this repository (per enabled
 * kind), list the open PRs once, decide each PR with `planReap` (and `planStale`), confirm each PR
 * it would reap as closed or missing with its own `GET /pulls/{n}`, warn once, close stale PRs,
 * and tear the rest down through `teardownMany` with bounded concurrency, at most `maxDeletions`
 * PRs per run. In dry-run nothing is written anywhere: no deletion, comment or label.
 *
 * When unsure, destroy nothing: a PR list that fails on any page aborts the run before anything is
 * written; a kind whose inventory failed (or was not enabled) makes expiry unknown for every PR.
 */
import type { PullRequestInfo } from '../context.js';
import type { OwnershipMarks } from '../marks.js';
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { summaryTable } from '../runtime/summary.js';
import { runBounded } from './bounded.js';
import { planSleep, type PlannedSleep } from './reap-sleep.js';
import { addRequests, hourlyCost, type Prices, type Requests } from '../kube/cost.js';
import { planReap, planStale, type Decision, type InventoryItem, type PrPlan, type ReapPolicy } from './reap-plan.js';
import { teardownMany, type TeardownItem, type TeardownPorts, type TeardownReport } from './teardown.js';

export const REAP_KINDS = ['namespaces', 'releases', 'ecr', 'vault', 'deployments'] as const;
export type ReapKind = (typeof REAP_KINDS)[number];

export interface ReaperInventoryPorts {
  /** Marked namespaces (kinds namespaces and releases): one list call. */
  listNamespaces?(): Promise<
    Array<{
      name: string;
      marks: OwnershipMarks;
      warnedAt?: string;
      phase?: string;
      deployedAt?: string;
      sleepingSince?: string;
    }>
  >;
  /** Release names by namespace (kind releases): one list call. */
  listReleases?(): Promise<Map<string, string[]>>;
  listRepositories?(): Promise<Array<{ name: string; marks: OwnershipMarks }>>;
  listVaultPaths?(): Promise<Array<{ path: string; marks: OwnershipMarks }>>;
  /** Deployment environments of previews (`preview/pr-N`), with the PR read from the name. */
  listEnvironments?(): Promise<Array<{ name: string; pr: number }>>;
}

export interface ReaperPorts extends ReaperInventoryPorts {
  /** Every open PR with its labels and updated_at, listed once (paginated). */
  listOpenPullRequests(): Promise<PullRequestInfo[]>;
  /** One PR as GitHub sees it now, undefined when it does not exist (404); throws when GitHub cannot say. */
  getPullRequest(pr: number): Promise<PullRequestInfo | undefined>;
  /** Comments on the PR that its preview will be removed at `removeAt` and records that it did (warned-at). */
  warnOfRemoval(plan: PrPlan, removeAt: string): Promise<void>;
  /** Labels an idle PR stale and says so in a comment. */
  markStale?(pr: number, idleDays: number): Promise<void>;
  /** Closes a stale PR with a comment (a PR closed with GITHUB_TOKEN fires no `closed` workflow). */
  closePullRequest?(pr: number, idleDays: number): Promise<void>;
  teardown: TeardownPorts;
  /** Writes a warning to the job log (a kind not listed, expiry unknown). */
  logWarning?(message: string): void;
  /** Puts an idle preview to sleep (its namespaces' workloads to 0) and says so in its comment. */
  sleepPreview?(s: PlannedSleep): Promise<void>;
  /** What a namespace's workloads and claims request (for the fleet's cost estimate). */
  namespaceRequests?(namespace: string): Promise<Requests>;
}

export interface ReapOptions {
  repository: string;
  now: number;
  label: string;
  keepLabel: string;
  /** Expiry for resources stamped without expires-at: created-at + ttl. */
  ttlMs: number;
  warnBeforeMs: number;
  staleDays: number;
  closeAfterDays: number;
  staleLabel: string;
  dryRun: boolean;
  maxDeletions: number;
  concurrency: number;
  kinds: ReadonlySet<ReapKind>;
  /** Sleep previews with no deploy for this long (0 or absent: never). */
  sleepAfterMs?: number;
  /** Prices for the fleet's hourly estimate in the summary; absent: no estimate. */
  prices?: Prices;
}

export interface PlannedPr {
  pr: number;
  decision: Decision | { action: 'reap'; reason: 'stale-closed' };
  expiresAt?: string;
  resources: Array<{ kind: string; name: string }>;
  /** Over max-deletions this run: left for the next one. */
  deferred?: boolean;
  stale?: 'mark-stale' | 'close';
}

export interface ReapOutcome {
  plan: PlannedPr[];
  reports: TeardownReport[];
  reaped: number[];
  kept: number[];
  warned: number[];
  deferred: number[];
  staleMarked: number[];
  closed: number[];
  /** PRs put to sleep this run (would be, in dry-run). */
  slept: number[];
  /** PRs with a namespace (previews), and those asleep after this run. */
  previews: number[];
  sleeping: number[];
  /** The previews' hourly estimate after the run (prices given and every namespace read). */
  costPerHour?: number;
  /** Warnings, stale marks or closes that failed (the run goes on; the job fails at the end). */
  errors: string[];
  failed: boolean;
}

export interface Inventory {
  items: InventoryItem[];
  /**
   * The kinds carrying expires-at (namespaces, ECR repositories, Vault paths) that were not listed
   * this run (failed, not enabled, or no adapter). Non-empty → expiry is unknown for every PR.
   */
  unlisted: string[];
  /** The namespaces as listed (for the sleep policy), when listed. */
  namespaces?: Awaited<ReturnType<NonNullable<ReaperInventoryPorts['listNamespaces']>>>;
}

/**
 * What exists, as InventoryItems; kinds not enabled are not listed at all. A kind whose listing
 * fails is left out of this run (`onError` hears why): its resources wait for the next run. PRs
 * confirmed closed or missing are still reaped from the other kinds, but no PR is reaped for
 * expiry, since the unlisted kind may hold a later expires-at (see `unlisted`).
 */
export async function takeInventory(
  ports: ReaperInventoryPorts,
  o: Pick<ReapOptions, 'kinds' | 'ttlMs'>,
  onError: (what: string, err: unknown) => void = (_w, e) => {
    throw e;
  },
): Promise<Inventory> {
  const k = o.kinds;
  const unlisted: string[] = [];
  const safe = async <T>(
    what: string,
    enabled: boolean,
    list: (() => Promise<T>) | undefined,
    carriesExpiry = true,
  ): Promise<T | undefined> => {
    if (!enabled || !list) {
      if (carriesExpiry) unlisted.push(what);
      return undefined;
    }
    try {
      return await list();
    } catch (err) {
      if (carriesExpiry) unlisted.push(what);
      onError(`Listing ${what} failed; they are left for the next run`, err);
      return undefined;
    }
  };
  const [namespaces, releases, repos, paths, envs] = await Promise.all([
    safe('namespaces', k.has('namespaces') || k.has('releases'), ports.listNamespaces?.bind(ports)),
    // Releases carry their namespace's marks; deployments carry none: neither holds an expiry of its own.
    safe('Helm releases', k.has('releases'), ports.listReleases?.bind(ports), false),
    safe('ECR repositories', k.has('ecr'), ports.listRepositories?.bind(ports)),
    safe('Vault paths', k.has('vault'), ports.listVaultPaths?.bind(ports)),
    safe('deployment environments', k.has('deployments'), ports.listEnvironments?.bind(ports), false),
  ]);
  const withTtl = (m: OwnershipMarks): OwnershipMarks => {
    if (m.expiresAt || Number.isNaN(Date.parse(m.createdAt))) return m;
    return { ...m, expiresAt: new Date(Date.parse(m.createdAt) + o.ttlMs).toISOString() };
  };
  const items: InventoryItem[] = [];
  for (const ns of namespaces ?? []) {
    if (k.has('namespaces'))
      items.push({ kind: 'namespace', name: ns.name, marks: withTtl(ns.marks), warnedAt: ns.warnedAt });
    for (const rel of releases?.get(ns.name) ?? [])
      items.push({ kind: 'release', name: `${ns.name}/${rel}`, marks: withTtl(ns.marks), warnedAt: ns.warnedAt });
  }
  for (const r of repos ?? []) items.push({ kind: 'ecr-repository', name: r.name, marks: withTtl(r.marks) });
  for (const p of paths ?? []) items.push({ kind: 'vault-path', name: p.path, marks: withTtl(p.marks) });
  for (const e of envs ?? [])
    items.push({ kind: 'environment', name: e.name, marks: { repository: '', pr: e.pr, createdAt: '' } });
  return { items, unlisted, namespaces };
}

/**
 * A PR whose namespace is gone cannot record a warning (warned-at lives on the namespace), so its
 * leftovers follow the expiry alone: kept until expires-at, reaped after (nothing is running).
 */
function withoutWarningRecord(p: PrPlan): PrPlan['decision'] {
  if (p.decision.action !== 'warn' || p.resources.some((r) => r.kind === 'namespace')) return p.decision;
  return p.decision.reason === 'expired' ? { action: 'reap', reason: 'expired' } : { action: 'keep', reason: 'active' };
}

function teardownItem(p: PrPlan): TeardownItem {
  const of = (kind: string) => p.resources.filter((r) => r.kind === kind);
  return {
    pr: p.pr,
    releases: of('release').map((r) => ({
      namespace: r.name.slice(0, r.name.indexOf('/')),
      release: r.name.slice(r.name.indexOf('/') + 1),
    })),
    namespaces: of('namespace').map((r) => ({ name: r.name, marks: r.marks })),
    vaultPaths: of('vault-path').map((r) => r.name),
    repositories: of('ecr-repository').map((r) => r.name),
    environments: of('environment').map((r) => r.name),
  };
}

/**
 * Confirms, one `GET /pulls/{n}` each, the PRs this run would reap for "closed or missing" (the
 * list only says they were not among the open ones when it was read): 404 → missing, closed →
 * closed, open now → decided again as the open PR it is, an error → kept ("don't know"). Only
 * the first `maxDeletions` reaps are confirmed; later candidates stay unconfirmed and deferred.
 */
async function confirmClosedOrMissing(
  ports: ReaperPorts,
  plans: PrPlan[],
  o: ReapOptions,
  policy: ReapPolicy,
  note: (what: string, err: unknown) => void,
): Promise<{ plans: PrPlan[]; unconfirmed: Set<number> }> {
  const reaps = plans.filter((p) => p.decision.action === 'reap');
  const inSlots = new Set(reaps.slice(0, Math.max(0, o.maxDeletions)).map((p) => p.pr));
  const candidates = reaps.filter((p) => p.prState === 'closed-or-missing');
  const checked = await runBounded(
    candidates.filter((p) => inSlots.has(p.pr)),
    { concurrency: o.concurrency },
    (p) => ports.getPullRequest(p.pr),
  );
  const answer = new Map(checked.map((c) => [c.item.pr, c]));
  const unconfirmed = new Set(candidates.filter((p) => !answer.has(p.pr)).map((p) => p.pr));
  const confirmed = plans.map((p): PrPlan => {
    const c = answer.get(p.pr);
    if (!c) return p;
    if (c.error !== undefined) {
      note(
        `Confirming that PR #${p.pr} is closed (GET /repos/${o.repository}/pulls/${p.pr}) failed; it is kept this run`,
        c.error,
      );
      return { ...p, decision: { action: 'keep', reason: 'unconfirmed' } };
    }
    if (!c.result) return { ...p, decision: { action: 'reap', reason: 'missing' } };
    if (c.result.state === 'closed')
      return { ...p, prState: 'closed-or-missing', decision: { action: 'reap', reason: 'closed' } };
    // Open now (closed and reopened, or shifted past the listing): never reaped as closed or missing.
    const again = planReap(p.resources, [c.result], policy)[0]!;
    return { ...again, decision: withoutWarningRecord(again) };
  });
  return { plans: confirmed, unconfirmed };
}

export async function reapOrphans(ports: ReaperPorts, o: ReapOptions): Promise<ReapOutcome> {
  const inventoryErrors: Array<[string, unknown]> = [];
  // A PR list that failed on any page throws here, before anything is written: no partial list is ever planned on.
  const [inventory, openPrs] = await Promise.all([
    takeInventory(ports, o, (what, err) => inventoryErrors.push([what, err])),
    ports.listOpenPullRequests(),
  ]);
  const out: ReapOutcome = {
    plan: [],
    reports: [],
    reaped: [],
    kept: [],
    warned: [],
    deferred: [],
    staleMarked: [],
    closed: [],
    slept: [],
    previews: [],
    sleeping: [],
    errors: [],
    failed: false,
  };
  const note = (what: string, err: unknown): void => {
    const text = `${what}: ${redact(errorText(err)).split('\n')[0]}`;
    out.errors.push(text);
    ports.logWarning?.(text);
  };
  for (const [what, err] of inventoryErrors) note(what, err);
  if (inventory.unlisted.length) {
    ports.logWarning?.(
      `Expiry is unknown this run (${inventory.unlisted.join(', ')} not listed): no PR is warned or reaped for expiry`,
    );
  }
  const policy: ReapPolicy = {
    now: o.now,
    label: o.label,
    keepLabel: o.keepLabel,
    warnBeforeMs: o.warnBeforeMs,
    expiryKnown: inventory.unlisted.length === 0,
  };
  const { plans, unconfirmed } = await confirmClosedOrMissing(
    ports,
    planReap(inventory.items, openPrs, policy).map((p) => ({ ...p, decision: withoutWarningRecord(p) })),
    o,
    policy,
    note,
  );
  const stale = planStale(openPrs, {
    now: o.now,
    label: o.label,
    keepLabel: o.keepLabel,
    staleLabel: o.staleLabel,
    staleDays: o.staleDays,
    closeAfterDays: o.closeAfterDays,
  });

  // Stale PRs first: a PR closed now is torn down in this same run.
  const closing = new Set<number>();
  for (const s of stale) {
    if (o.dryRun) {
      if (s.action === 'close') closing.add(s.pr);
      continue;
    }
    try {
      if (s.action === 'mark-stale') {
        await ports.markStale?.(s.pr, s.idleDays);
        out.staleMarked.push(s.pr);
      } else {
        await ports.closePullRequest?.(s.pr, s.idleDays);
        out.closed.push(s.pr);
        closing.add(s.pr);
      }
    } catch (err) {
      note(`${s.action === 'close' ? 'Closing' : 'Marking stale'} PR #${s.pr} failed`, err);
    }
  }

  const planned: PlannedPr[] = plans.map((p) => ({
    pr: p.pr,
    decision: closing.has(p.pr) ? { action: 'reap', reason: 'stale-closed' } : p.decision,
    expiresAt: p.expiresAt,
    resources: p.resources.map((r) => ({ kind: r.kind, name: r.name })),
    stale: stale.find((s) => s.pr === p.pr)?.action,
  }));
  const byPr = new Map(plans.map((p) => [p.pr, p]));
  const toReap = planned.filter((p) => p.decision.action === 'reap');
  toReap.forEach((p, i) => {
    if (i >= o.maxDeletions || unconfirmed.has(p.pr)) p.deferred = true;
  });
  out.plan = planned;
  out.kept = planned.filter((p) => p.decision.action === 'keep').map((p) => p.pr);
  out.deferred = toReap.filter((p) => p.deferred).map((p) => p.pr);

  for (const p of planned.filter((x) => x.decision.action === 'warn')) {
    const d = p.decision as Extract<Decision, { action: 'warn' }>;
    if (o.dryRun) {
      out.warned.push(p.pr);
      continue;
    }
    try {
      await ports.warnOfRemoval(byPr.get(p.pr)!, d.removeAt);
      out.warned.push(p.pr);
    } catch (err) {
      note(`Warning PR #${p.pr} failed`, err);
    }
  }

  await sleepIdle(ports, o, inventory, plans, out, note);

  const now = toReap.filter((p) => !p.deferred);
  if (!o.dryRun && now.length) {
    // One comment edit per PR (the outcome): a reaped PR's comment needs no "tearing down" a second earlier.
    out.reports = await teardownMany(
      ports.teardown,
      now.map((p) => teardownItem(byPr.get(p.pr)!)),
      { concurrency: o.concurrency, announceStart: false },
    );
  }
  out.reaped = o.dryRun ? [] : now.map((p) => p.pr);
  countPreviews(inventory, out);
  if (o.prices && ports.namespaceRequests) await estimateFleet(ports, o.prices, inventory, out);
  out.failed = out.errors.length > 0 || out.reports.some((r) => r.failed);
  return out;
}

/** The sleep policy's run: plan (pure), then one port call per PR; a failure is noted and the run goes on. */
async function sleepIdle(
  ports: ReaperPorts,
  o: ReapOptions,
  inventory: Inventory,
  plans: PrPlan[],
  out: ReapOutcome,
  note: (what: string, err: unknown) => void,
): Promise<void> {
  const listed = inventory.namespaces ?? [];
  const sleeps = ports.sleepPreview ? planSleep(listed, plans, { now: o.now, sleepAfterMs: o.sleepAfterMs ?? 0 }) : [];
  for (const s of sleeps) {
    if (o.dryRun) {
      out.slept.push(s.pr);
      continue;
    }
    try {
      await ports.sleepPreview!(s);
      out.slept.push(s.pr);
    } catch (err) {
      note(`Putting PR #${s.pr}'s preview to sleep failed`, err);
    }
  }
}

/** The fleet's $/h: every remaining preview namespace's requests, summed; any read failing leaves it unknown. */
async function estimateFleet(
  ports: ReaperPorts,
  prices: Prices,
  inventory: Inventory,
  out: ReapOutcome,
): Promise<void> {
  const names = (inventory.namespaces ?? []).filter((n) => out.previews.includes(n.marks.pr)).map((n) => n.name);
  const read = await runBounded(names, { concurrency: 5 }, (n) => ports.namespaceRequests!(n));
  const failed = read.find((r) => r.error !== undefined);
  // An estimate is a courtesy: a failed read is a warning, never a failed reaper run.
  if (failed) {
    ports.logWarning?.(
      `Reading the requests in ${failed.item} failed, so no cost estimate this run: ${redact(errorText(failed.error)).split('\n')[0]}`,
    );
    return;
  }
  const total = read.reduce((sum, r) => addRequests(sum, r.result!), { cpu: 0, memoryGiB: 0, storageGiB: 0 });
  out.costPerHour = hourlyCost(total, prices);
}

/** The previews left after the run (PRs with a namespace, less those reaped) and which of them sleep. */
function countPreviews(inventory: Inventory, out: ReapOutcome): void {
  const listed = inventory.namespaces ?? [];
  const prs = [...new Set(listed.map((n) => n.marks.pr))].filter((pr) => !out.reaped.includes(pr));
  out.previews = prs.sort((a, b) => a - b);
  out.sleeping = out.previews.filter(
    (pr) => out.slept.includes(pr) || listed.some((n) => n.marks.pr === pr && n.sleepingSince),
  );
}

const WHY: Record<string, string> = {
  closed: 'PR closed (confirmed)',
  missing: 'PR missing (404, confirmed)',
  unlabelled: 'opt-in label removed',
  expired: 'expired',
  expiring: 'expires soon',
  active: 'active',
  'expiry-unknown': 'expiry unknown this run (a kind was not listed)',
  unconfirmed: 'GitHub could not confirm the PR closed',
  'keep-label': 'keep label',
  'warned-waiting': 'warned, waiting for expiry',
  'stale-closed': 'stale PR closed',
};

/** The plan as a markdown table for the step summary. */
export function renderReapPlan(plan: PlannedPr[], o: { dryRun: boolean }): string {
  if (plan.length === 0) return '_Nothing carries our marks for this repository._';
  const rows = plan.map((p) => {
    const act = p.deferred
      ? `${p.decision.action} (deferred: max-deletions)`
      : o.dryRun && p.decision.action !== 'keep'
        ? `${p.decision.action} (dry-run)`
        : p.decision.action;
    const removeAt = p.decision.action === 'warn' ? ` — removal at ${p.decision.removeAt}` : '';
    const kinds = [...new Set(p.resources.map((r) => r.kind))]
      .map((k) => `${k} ×${p.resources.filter((r) => r.kind === k).length}`)
      .join(', ');
    const why =
      p.deferred && p.decision.reason === 'missing'
        ? 'not among the open PRs (confirmed with GitHub when its turn comes)'
        : (WHY[p.decision.reason] ?? p.decision.reason);
    return [`#${p.pr}`, act, `${why}${removeAt}`, p.expiresAt, kinds];
  });
  return summaryTable(['PR', 'action', 'why', 'expires', 'resources'], rows);
}
