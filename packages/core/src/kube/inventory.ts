/**
 * The reaper's view of the cluster: every namespace carrying our marks for this repository, from
 * ONE `kubectl get namespaces -l <selector>` (one list call however many PRs there are), and every
 * Helm release in those namespaces from one `helm list --all-namespaces`.
 */
import { ANNOTATIONS, PREFIX, fromKube, isOwnedBy, kubeSelector, type OwnershipMarks } from '../marks.js';
import { ActionError } from '../runtime/errors.js';
import { SLEEPING_SINCE_ANNOTATION } from './sleep.js';
import { runHelm, runKubectl, type HelmMajor, type KubeTools } from './tools.js';

/** Annotation the reaper stamps on a namespace when it warned the PR (so it warns once per window). */
export const WARNED_AT_ANNOTATION = `${PREFIX}/warned-at`;

export interface MarkedNamespace {
  name: string;
  marks: OwnershipMarks;
  /** `Active` or `Terminating`. */
  phase: string;
  /** When the reaper last warned this PR (ISO), if ever. */
  warnedAt?: string;
  /** Services deployed into it (the deploy's `services` annotation), when stamped. */
  services: string[];
  /** When the last deploy applied it (ISO), when stamped. */
  deployedAt?: string;
  /** When the reaper put it to sleep (ISO); absent while awake. */
  sleepingSince?: string;
}

/** Namespaces marked for `repository`; labels are re-checked with fromKube, so a selector match alone is never trusted. */
export async function listMarkedNamespaces(cli: KubeTools, repository: string): Promise<MarkedNamespace[]> {
  const r = await runKubectl(cli, ['get', 'namespaces', '-l', kubeSelector(repository), '-o', 'json']);
  let items: Array<{
    metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    status?: { phase?: string };
  }>;
  try {
    items = (JSON.parse(r.stdout) as { items?: typeof items }).items ?? [];
  } catch (err) {
    throw new ActionError(`kubectl get namespaces printed no JSON: ${r.stdout.slice(0, 200)}`, { cause: err });
  }
  const out: MarkedNamespace[] = [];
  for (const ns of items) {
    const name = ns.metadata?.name;
    const marks = fromKube(ns.metadata?.labels, ns.metadata?.annotations);
    if (!name || !marks || !isOwnedBy(marks, { repository })) continue;
    const annotations = ns.metadata?.annotations ?? {};
    out.push({
      name,
      marks,
      phase: ns.status?.phase ?? 'Active',
      warnedAt: annotations[WARNED_AT_ANNOTATION] || undefined,
      deployedAt: annotations[ANNOTATIONS.deployedAt] || undefined,
      sleepingSince: annotations[SLEEPING_SINCE_ANNOTATION] || undefined,
      services: (annotations[ANNOTATIONS.services] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Records that the PR owning `namespace` was warned at `at` (ISO), so the next run does not warn again. */
export async function markNamespaceWarned(cli: KubeTools, namespace: string, at: string): Promise<void> {
  await runKubectl(cli, ['annotate', 'namespace', namespace, `${WARNED_AT_ANNOTATION}=${at}`, '--overwrite']);
}

/**
 * Every Helm release in the cluster visible to us, grouped by namespace (one `helm list -A`: Helm
 * lists its release Secrets with one label-selected call). Callers keep only marked namespaces.
 */
export async function listReleasesByNamespace(cli: KubeTools, helmMajor: HelmMajor): Promise<Map<string, string[]>> {
  // --max: helm returns at most 256 by default and "0" means the server's default, not "all".
  // Helm 3 hides failed/pending releases unless --all; Helm 4 lists every status and has no --all.
  const all = helmMajor === 3 ? ['--all'] : [];
  const r = await runHelm(cli, ['list', '--all-namespaces', ...all, '--max', '100000', '--output', 'json']);
  let rows: Array<{ name?: string; namespace?: string }>;
  try {
    rows = JSON.parse(r.stdout.trim() || '[]') as typeof rows;
  } catch (err) {
    throw new ActionError(`helm list printed no JSON: ${r.stdout.slice(0, 200)}`, { cause: err });
  }
  const out = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.name || !row.namespace) continue;
    out.set(row.namespace, [...(out.get(row.namespace) ?? []), row.name]);
  }
  return out;
}
