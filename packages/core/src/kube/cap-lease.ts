/**
 * The `max-previews` slots as the cluster arbitrates them: one `coordination.k8s.io/v1` Lease per
 * repository (marked, in `cap-lease-namespace`) whose `preview-fleet.dev/slots` annotation records
 * each PR's last claim. A claim reads the Lease and our preview namespaces, decides (`cap.ts`), and
 * writes the Lease back with the resourceVersion it read (`kubectl replace`; `kubectl create` when
 * absent): a deploy that raced and lost gets 409 Conflict (or AlreadyExists) and decides again on
 * what the winner wrote, so two deploys never both take the last slot. The preview evicted to make
 * room is put to sleep only after the claim is committed.
 */
import type { Clock } from '../clock.js';
import { ActionError } from '../runtime/errors.js';
import { log } from '../runtime/outputs.js';
import { LABELS, MANAGED_BY, PREFIX, repoLabelValue } from '../marks.js';
import { shortHash } from '../naming.js';
import {
  capFullError,
  decideSlot,
  takenSlots,
  type CapNamespace,
  type CapPolicy,
  type Slot,
  type SlotRecord,
} from './cap.js';
import { listMarkedNamespaces } from './inventory.js';
import { isAlreadyExists } from './namespace.js';
import { sleepNamespace, type SleepChange } from './sleep.js';
import { isNotFound, kubectlJson, runKubectl, type KubeTools } from './tools.js';

/** The Lease's annotation: JSON `{ "<pr>": "<ISO time of its last claim>" }`. */
export const SLOTS_ANNOTATION = `${PREFIX}/slots`;
/** A claim whose namespace is not there yet holds its slot this long (a deploy in flight). */
export const CLAIM_GRACE_MS = 30 * 60_000;
const ATTEMPTS = 8;

/** The Lease's name for `repository` (one per repository; DNS-1123 whatever the repository is called). */
export function capLeaseName(repository: string): string {
  return `preview-fleet-cap-${shortHash(repository.toLowerCase())}`;
}

export interface ClaimOptions {
  repository: string;
  pr: number;
  /** ≥ 1 (0 means no cap: do not call). */
  max: number;
  policy: CapPolicy;
  leaseNamespace: string;
  now: () => number;
}

export interface ClaimResult {
  action: 'hold' | 'claim' | 'evict';
  /** The preview put to sleep to make room (evict). */
  victim?: Slot;
  slept?: SleepChange[];
  /** Writes tried: 1 without a race, more when another deploy wrote the Lease first. */
  attempts: number;
}

interface LeaseState {
  resourceVersion: string;
  record: SlotRecord;
}

async function readLease(tools: KubeTools, name: string, o: ClaimOptions): Promise<LeaseState | undefined> {
  let lease: any;
  try {
    lease = await kubectlJson(tools, ['get', 'lease', name, '--namespace', o.leaseNamespace]);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const labels = lease.metadata?.labels ?? {};
  if (labels[LABELS.managedBy] !== MANAGED_BY || labels[LABELS.repo] !== repoLabelValue(o.repository)) {
    throw new ActionError(
      `Lease "${o.leaseNamespace}/${name}" exists but does not carry preview-fleet's marks for ${o.repository}; refusing to use it for max-previews`,
      {
        hint: 'Set cap-lease-namespace to a namespace where preview-fleet may keep its Lease, or delete that Lease if it is a leftover you own',
      },
    );
  }
  const record: SlotRecord = { slots: {}, asleep: {} };
  try {
    const parsed = JSON.parse(lease.metadata?.annotations?.[SLOTS_ANNOTATION] ?? '{}') as Partial<SlotRecord>;
    if (parsed?.slots && typeof parsed.slots === 'object') record.slots = parsed.slots;
    if (parsed?.asleep && typeof parsed.asleep === 'object') record.asleep = parsed.asleep;
  } catch {
    // An unreadable record frees nothing: the namespaces still count (takenSlots), claims start over.
  }
  return { resourceVersion: String(lease.metadata?.resourceVersion ?? ''), record };
}

function leaseManifest(name: string, o: ClaimOptions, record: SlotRecord, resourceVersion?: string): unknown {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: o.leaseNamespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.repo]: repoLabelValue(o.repository) },
      annotations: { [`${PREFIX}/repository`]: o.repository, [SLOTS_ANNOTATION]: JSON.stringify(record) },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: `pr-${o.pr}` },
  };
}

const isConflict = (err: unknown): boolean =>
  /\(Conflict\)|the object has been modified/i.test(
    String((err as { stderr?: string })?.stderr ?? (err as Error)?.message ?? ''),
  );

/** Our namespaces as the cap sees them (one marked list, the same the reaper reads). */
async function capNamespaces(tools: KubeTools, repository: string): Promise<CapNamespace[]> {
  return (await listMarkedNamespaces(tools, repository)).map((n) => ({
    name: n.name,
    pr: n.marks.pr,
    deployedAt: n.deployedAt ?? n.marks.createdAt,
    sleeping: n.sleepingSince !== undefined,
    phase: n.phase,
  }));
}

/**
 * Takes (or keeps) a slot for `o.pr`, or throws naming the cap and its holders. Every write is
 * conditional on what was read; a lost race re-reads and decides again (at most 8 times).
 */
export async function claimPreviewSlot(tools: KubeTools, o: ClaimOptions): Promise<ClaimResult> {
  const name = capLeaseName(o.repository);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const [lease, namespaces] = await Promise.all([readLease(tools, name, o), capNamespaces(tools, o.repository)]);
    const now = o.now();
    const record = lease?.record ?? { slots: {}, asleep: {} };
    const slots = takenSlots(record, namespaces, now, CLAIM_GRACE_MS);
    // An eviction is remembered until its namespace is seen asleep (or gone): then the fact speaks for itself.
    const awake = new Set(namespaces.filter((n) => !n.sleeping).map((n) => String(n.pr)));
    const asleep = Object.fromEntries(Object.entries(record.asleep).filter(([pr]) => awake.has(pr)));
    const d = decideSlot(slots, o.pr, o.max, o.policy, now, asleep);
    if (d.action === 'full') throw capFullError(o.max, o.pr, d.holders, o.policy);
    const manifest = JSON.stringify(leaseManifest(name, o, d.record, lease?.resourceVersion));
    try {
      await runKubectl(tools, [lease ? 'replace' : 'create', '-f', '-'], { input: manifest });
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) continue;
      throw err;
    }
    if (d.action !== 'evict') return { action: d.action, attempts: attempt };
    const at = new Date(now).toISOString();
    const slept: SleepChange[] = [];
    for (const ns of d.victim.namespaces)
      slept.push(...(await sleepNamespace(tools, ns, { repository: o.repository, pr: d.victim.pr }, at)));
    return { action: 'evict', victim: d.victim, slept, attempts: attempt };
  }
  throw new ActionError(
    `Could not claim a max-previews slot for PR #${o.pr}: the Lease "${o.leaseNamespace}/${name}" changed under every one of ${ATTEMPTS} attempts`,
    { hint: 'Many deploys are racing for the slots; the next run tries again' },
  );
}

/** Claims the PR's max-previews slot and says in the log what it did (a preview evicted to sleep is named). */
export async function claimSlot(
  kubectl: KubeTools,
  plan: { repository: string; pr: number; maxPreviews: number; capPolicy?: CapPolicy; capLeaseNamespace?: string },
  clock: Clock,
): Promise<void> {
  const c = await claimPreviewSlot(kubectl, {
    repository: plan.repository,
    pr: plan.pr,
    max: plan.maxPreviews,
    policy: plan.capPolicy ?? 'sleep',
    leaseNamespace: plan.capLeaseNamespace ?? 'default',
    now: () => clock.now(),
  });
  if (c.action === 'evict' && c.victim)
    log.info(
      `max-previews ${plan.maxPreviews} reached: put PR #${c.victim.pr}'s preview (${c.victim.namespaces.join(', ')}, last deployed ${c.victim.at}) to sleep to make room for PR #${plan.pr}`,
    );
  else
    log.info(`max-previews ${plan.maxPreviews}: PR #${plan.pr} ${c.action === 'hold' ? 'keeps its' : 'took a'} slot`);
}
