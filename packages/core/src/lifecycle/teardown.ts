/**
 * Teardown of one PR's preview — or of many, for the reaper — in the order the design fixes:
 * comment "tearing down" → helm uninstall per release → namespace (waited for, marked only) →
 * Vault paths (marked only) → ECR repositories (marked only) → deployments inactive then deleted →
 * comment "destroyed". Every step is attempted even when an earlier one failed; the report says
 * what each did. Many PRs run phase by phase, each phase with bounded concurrency, so one PR's
 * order is kept while the slow parts (waiting on deletions) overlap across PRs.
 */
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { summaryTable } from '../runtime/summary.js';
import type { OwnershipMarks } from '../marks.js';
import type { RemovalResult, ResourceKind } from '../removal.js';
import { runBounded } from './bounded.js';

export interface TeardownTarget {
  service: string;
  release: string;
  namespace: string;
  /** Vault path (relative to the mount) when Vault removal is enabled. */
  vaultPath?: string;
  /** ECR repository name when ECR removal is enabled. */
  ecrRepository?: string;
}

/** What one PR owns, as explicit lists (teardown renders them from templates, the reaper from its inventory). */
export interface TeardownItem {
  pr: number;
  releases: Array<{ release: string; namespace: string }>;
  /** Namespaces; `marks` when an inventory already read them (lets the batch deleter skip a read). */
  namespaces: Array<{ name: string; marks?: OwnershipMarks }>;
  vaultPaths: string[];
  repositories: string[];
  environments: string[];
}

/** The adapters teardown drives; the actions bind them to helm/kubectl, Vault, ECR and GitHub. */
export interface TeardownPorts {
  /** Updates the PR's sticky comment; failures are warnings, never a failed teardown. */
  announce?(pr: number, state: 'tearing-down' | 'destroyed', results: RemovalResult[]): Promise<void>;
  uninstallRelease(target: {
    release: string;
    namespace: string;
    pr: number;
    namespaceMarks?: OwnershipMarks;
  }): Promise<RemovalResult>;
  deleteNamespace(name: string, pr: number): Promise<RemovalResult>;
  /**
   * Deletes namespaces whose marks an inventory read, several per call (the reaper: one kubectl
   * process per batch instead of per namespace). Used for namespaces that carry `marks`.
   */
  deleteMarkedNamespaces?(items: Array<{ name: string; marks: OwnershipMarks }>): Promise<RemovalResult[]>;
  removeVaultPath?(path: string, pr: number): Promise<RemovalResult>;
  removeRepository?(name: string, pr: number): Promise<RemovalResult>;
  removeDeployments?(environment: string, pr: number): Promise<RemovalResult[]>;
  /** Writes a warning to the job log (a comment that could not be updated). */
  logWarning?(message: string): void;
}

export interface TeardownReport {
  pr: number;
  results: RemovalResult[];
  /** True when any step failed: the job fails, after every step was attempted. */
  failed: boolean;
  /** True when nothing existed (a PR that never had a preview). */
  nothingFound: boolean;
}

export interface TeardownManyOptions {
  /** Removals in flight at once within a phase (default 1). */
  concurrency?: number;
  /** Namespaces per batch call of `deleteMarkedNamespaces` (default: spread evenly over `concurrency`, at most 25). */
  namespaceBatch?: number;
  /** Post "tearing down" before the removals (default true); the reaper only posts the outcome. */
  announceStart?: boolean;
}

function failedResult(kind: ResourceKind, name: string, err: unknown): RemovalResult {
  return { kind, name, status: 'failed', reason: redact(errorText(err)).split('\n')[0] };
}

async function attempt(kind: ResourceKind, name: string, step: () => Promise<RemovalResult>): Promise<RemovalResult> {
  try {
    return await step();
  } catch (err) {
    return failedResult(kind, name, err);
  }
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/** One PR's item from the action's rendered targets. */
export function itemFromTargets(pr: number, targets: TeardownTarget[], environment?: string | string[]): TeardownItem {
  return {
    pr,
    releases: targets.map((t) => ({ release: t.release, namespace: t.namespace })),
    namespaces: uniq(targets.map((t) => t.namespace)).map((name) => ({ name })),
    vaultPaths: uniq(targets.map((t) => t.vaultPath).filter((p): p is string => !!p)),
    repositories: uniq(targets.map((t) => t.ecrRepository).filter((r): r is string => !!r)),
    environments: uniq(([] as string[]).concat(environment ?? [])),
  };
}

export async function teardownPreview(
  ports: TeardownPorts,
  args: { pr: number; targets: TeardownTarget[]; environment?: string },
): Promise<TeardownReport> {
  const [report] = await teardownMany(ports, [itemFromTargets(args.pr, args.targets, args.environment)]);
  return report!;
}

/** Tears down every item, phase by phase; one report per item, in input order. */
export async function teardownMany(
  ports: TeardownPorts,
  items: TeardownItem[],
  opts: TeardownManyOptions = {},
): Promise<TeardownReport[]> {
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const results = new Map<number, RemovalResult[]>(items.map((i) => [i.pr, []]));
  const add = (pr: number, r: RemovalResult | RemovalResult[]): void => {
    results.get(pr)!.push(...(Array.isArray(r) ? r : [r]));
  };
  const each = async <T>(list: T[], work: (x: T) => Promise<void>): Promise<void> => {
    await runBounded(list, { concurrency }, work);
  };

  const announce = async (state: 'tearing-down' | 'destroyed'): Promise<void> => {
    if (!ports.announce) return;
    await each(items, async (item) => {
      try {
        await ports.announce!(item.pr, state, results.get(item.pr)!);
      } catch (err) {
        ports.logWarning?.(`Could not update the comment of PR #${item.pr} (${state}): ${redact(errorText(err))}`);
      }
    });
  };

  if (opts.announceStart !== false) await announce('tearing-down');

  const marksOf = new Map(
    items.flatMap((i) => i.namespaces.filter((n) => n.marks).map((n) => [n.name, n.marks!] as const)),
  );
  const releases = items.flatMap((i) => i.releases.map((r) => ({ ...r, pr: i.pr })));
  await each(releases, async (r) => {
    add(
      r.pr,
      await attempt('release', `${r.namespace}/${r.release}`, () =>
        ports.uninstallRelease({ ...r, namespaceMarks: marksOf.get(r.namespace) }),
      ),
    );
  });

  const namespaces = items.flatMap((i) => i.namespaces.map((n) => ({ ...n, pr: i.pr })));
  const batched = ports.deleteMarkedNamespaces ? namespaces.filter((n) => n.marks) : [];
  const single = namespaces.filter((n) => !batched.includes(n));
  const size = Math.max(1, opts.namespaceBatch ?? Math.min(25, Math.ceil(batched.length / concurrency)));
  const batches: Array<typeof batched> = [];
  for (let i = 0; i < batched.length; i += size) batches.push(batched.slice(i, i + size));
  await each(batches, async (batch) => {
    let got: RemovalResult[];
    try {
      got = await ports.deleteMarkedNamespaces!(batch.map((n) => ({ name: n.name, marks: n.marks! })));
    } catch (err) {
      got = batch.map((n) => failedResult('namespace', n.name, err));
    }
    batch.forEach((n, k) => add(n.pr, got[k] ?? failedResult('namespace', n.name, 'no result from the batch delete')));
  });
  await each(single, async (n) => {
    add(n.pr, await attempt('namespace', n.name, () => ports.deleteNamespace(n.name, n.pr)));
  });

  if (ports.removeVaultPath) {
    await each(
      items.flatMap((i) => i.vaultPaths.map((p) => ({ p, pr: i.pr }))),
      async ({ p, pr }) => {
        add(pr, await attempt('vault-path', p, () => ports.removeVaultPath!(p, pr)));
      },
    );
  }
  if (ports.removeRepository) {
    await each(
      items.flatMap((i) => i.repositories.map((r) => ({ r, pr: i.pr }))),
      async ({ r, pr }) => {
        add(pr, await attempt('ecr-repository', r, () => ports.removeRepository!(r, pr)));
      },
    );
  }
  if (ports.removeDeployments) {
    await each(
      items.flatMap((i) => i.environments.map((e) => ({ e, pr: i.pr }))),
      async ({ e, pr }) => {
        try {
          add(pr, await ports.removeDeployments!(e, pr));
        } catch (err) {
          add(pr, failedResult('deployment', e, err));
        }
      },
    );
  }

  await announce('destroyed');
  return items.map((item) => {
    const rs = sortByStep(results.get(item.pr)!);
    return {
      pr: item.pr,
      results: rs,
      failed: rs.some((r) => r.status === 'failed'),
      nothingFound: rs.every((r) => r.status === 'already-gone'),
    };
  });
}

const STEP_ORDER: ResourceKind[] = [
  'release',
  'namespace',
  'vault-path',
  'ecr-repository',
  'deployment',
  'environment',
  'comment',
];

/** Results in step order (concurrent phases finish in any order; the table should not). */
function sortByStep(rs: RemovalResult[]): RemovalResult[] {
  return rs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => STEP_ORDER.indexOf(a.r.kind) - STEP_ORDER.indexOf(b.r.kind) || a.i - b.i)
    .map((x) => x.r);
}

const ICON: Record<RemovalResult['status'], string> = {
  deleted: '🗑️ deleted',
  'already-gone': '✅ already gone',
  'skipped-unmarked': '⛔ skipped (not ours)',
  failed: '❌ failed',
};

/** The per-resource table for the PR comment, the job summary and the log. */
export function renderRemovalTable(results: RemovalResult[]): string {
  if (results.length === 0) return '_Nothing to remove._';
  return summaryTable(
    ['resource', 'name', 'result', 'detail'],
    results.map((r) => [r.kind, `\`${r.name}\``, ICON[r.status], r.reason]),
  );
}
