/**
 * Ownership marks: the facts stamped on everything we create, in each system's own form.
 * Teardown and the reaper trust only these, so a wrong template can never delete `default`,
 * stage secrets or someone else's repository.
 */
import { shortHash } from './naming.js';

export const MANAGED_BY = 'preview-fleet';
export const PREFIX = 'preview-fleet.dev';

export interface OwnershipMarks {
  /** `owner/name` */
  repository: string;
  pr: number;
  service?: string;
  headSha?: string;
  /** ISO-8601 */
  createdAt: string;
  /** ISO-8601; the reaper's TTL clock. */
  expiresAt?: string;
}

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  repo: `${PREFIX}/repo`,
  pr: `${PREFIX}/pr`,
  service: `${PREFIX}/service`,
} as const;

export const ANNOTATIONS = {
  repository: `${PREFIX}/repository`,
  headSha: `${PREFIX}/head-sha`,
  createdAt: `${PREFIX}/created-at`,
  expiresAt: `${PREFIX}/expires-at`,
  services: `${PREFIX}/services`,
  /** When the last deploy applied the namespace (ISO): the policy sleep's idle clock. */
  deployedAt: `${PREFIX}/deployed-at`,
} as const;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** `owner/name` as a label value: `/` → `.`, cut with a hash past 63 characters. */
export function repoLabelValue(repository: string): string {
  const v = repository
    .replace('/', '.')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (v.length <= 63) return v;
  return `${v.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${shortHash(repository)}`;
}

/** True when `value` is a valid Kubernetes label value. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

export function toKubeLabels(m: OwnershipMarks): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.repo]: repoLabelValue(m.repository),
    [LABELS.pr]: String(m.pr),
  };
  if (m.service && isValidLabelValue(m.service)) labels[LABELS.service] = m.service;
  return labels;
}

export function toKubeAnnotations(m: OwnershipMarks): Record<string, string> {
  const a: Record<string, string> = { [ANNOTATIONS.repository]: m.repository, [ANNOTATIONS.createdAt]: m.createdAt };
  if (m.headSha) a[ANNOTATIONS.headSha] = m.headSha;
  if (m.expiresAt) a[ANNOTATIONS.expiresAt] = m.expiresAt;
  return a;
}

/** Reads marks back from labels + annotations; undefined unless managed-by and the PR are ours. */
export function fromKube(
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): OwnershipMarks | undefined {
  if (labels[LABELS.managedBy] !== MANAGED_BY) return undefined;
  const pr = Number(labels[LABELS.pr]);
  const repository = annotations[ANNOTATIONS.repository];
  if (!Number.isInteger(pr) || pr <= 0 || !repository) return undefined;
  if (labels[LABELS.repo] !== repoLabelValue(repository)) return undefined;
  return {
    repository,
    pr,
    service: labels[LABELS.service],
    headSha: annotations[ANNOTATIONS.headSha],
    createdAt: annotations[ANNOTATIONS.createdAt] ?? '',
    expiresAt: annotations[ANNOTATIONS.expiresAt],
  };
}

/** Label selector for everything we manage for `repository` (and one PR when given). */
export function kubeSelector(repository: string, pr?: number): string {
  const parts = [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.repo}=${repoLabelValue(repository)}`];
  if (pr !== undefined) parts.push(`${LABELS.pr}=${pr}`);
  return parts.join(',');
}

/** Keys shared by ECR tags and Vault custom_metadata. */
const KEYS = {
  managedBy: `${PREFIX}/managed-by`,
  repository: `${PREFIX}/repository`,
  pr: `${PREFIX}/pr`,
  service: `${PREFIX}/service`,
  headSha: `${PREFIX}/head-sha`,
  createdAt: `${PREFIX}/created-at`,
  expiresAt: `${PREFIX}/expires-at`,
} as const;

function toFlat(m: OwnershipMarks): Record<string, string> {
  const out: Record<string, string> = {
    [KEYS.managedBy]: MANAGED_BY,
    [KEYS.repository]: m.repository,
    [KEYS.pr]: String(m.pr),
    [KEYS.createdAt]: m.createdAt,
  };
  if (m.service) out[KEYS.service] = m.service;
  if (m.headSha) out[KEYS.headSha] = m.headSha;
  if (m.expiresAt) out[KEYS.expiresAt] = m.expiresAt;
  return out;
}

function fromFlat(flat: Record<string, string | undefined>): OwnershipMarks | undefined {
  if (flat[KEYS.managedBy] !== MANAGED_BY) return undefined;
  const pr = Number(flat[KEYS.pr]);
  const repository = flat[KEYS.repository];
  if (!Number.isInteger(pr) || pr <= 0 || !repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) return undefined;
  return {
    repository,
    pr,
    service: flat[KEYS.service],
    headSha: flat[KEYS.headSha],
    createdAt: flat[KEYS.createdAt] ?? '',
    expiresAt: flat[KEYS.expiresAt],
  };
}

/** ECR resource tags (key ≤ 128, value ≤ 256 characters). */
export function toEcrTags(m: OwnershipMarks): Array<{ Key: string; Value: string }> {
  return Object.entries(toFlat(m)).map(([Key, Value]) => ({ Key, Value }));
}

export function fromEcrTags(tags: Array<{ Key?: string; Value?: string }> = []): OwnershipMarks | undefined {
  return fromFlat(Object.fromEntries(tags.filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])));
}

/** Vault KV v2 `custom_metadata` (string values; Vault allows 64 keys, values ≤ 512). */
export function toVaultMetadata(m: OwnershipMarks): Record<string, string> {
  return toFlat(m);
}

export function fromVaultMetadata(meta: Record<string, string> | null | undefined): OwnershipMarks | undefined {
  return meta ? fromFlat(meta) : undefined;
}

/**
 * The one ownership test: our marks, for this repository, and (when given) this PR. A plain
 * boolean, not a type guard: a guard would narrow a present-but-foreign `marks` to `never`.
 */
export function isOwnedBy(marks: OwnershipMarks | undefined, owner: { repository: string; pr?: number }): boolean {
  if (!marks) return false;
  if (marks.repository.toLowerCase() !== owner.repository.toLowerCase()) return false;
  return owner.pr === undefined || marks.pr === owner.pr;
}

/** Marks for a resource created now, expiring after `ttlMs`. */
export function newMarks(args: {
  repository: string;
  pr: number;
  service?: string;
  headSha?: string;
  now: number;
  ttlMs?: number;
}): OwnershipMarks {
  return {
    repository: args.repository,
    pr: args.pr,
    service: args.service,
    headSha: args.headSha,
    createdAt: new Date(args.now).toISOString(),
    expiresAt: args.ttlMs === undefined ? undefined : new Date(args.now + args.ttlMs).toISOString(),
  };
}
