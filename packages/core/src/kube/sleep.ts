/**
 * Sleeping by policy (no KEDA): a preview's Deployments and StatefulSets scaled to 0, each
 * remembering its replica count in an annotation, and woken by putting the counts back. Only a
 * namespace carrying our marks for this repository and PR is touched, re-read right before; each
 * workload is changed with one merge patch that carries its resourceVersion, so a workload that
 * changed since it was read (a deploy) is left alone (409) rather than overwritten.
 */
import { ActionError } from '../runtime/errors.js';
import { ANNOTATIONS, PREFIX, isOwnedBy } from '../marks.js';
import { readNamespace, type NamespaceState } from './namespace.js';
import { kubectlJson, runKubectl, type KubeTools } from './tools.js';

/** On each workload put to sleep: its replica count before. */
export const REPLICAS_BEFORE_SLEEP_ANNOTATION = `${PREFIX}/replicas-before-sleep`;
/** On the namespace: when the preview was put to sleep (ISO); absent while awake. */
export const SLEEPING_SINCE_ANNOTATION = `${PREFIX}/sleeping-since`;

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  resourceVersion: string;
  /** The count remembered when it was put to sleep, if it sleeps. */
  replicasBeforeSleep?: number;
}

export interface SleepChange {
  kind: Workload['kind'];
  name: string;
  from: number;
  to: number;
}

interface Owner {
  repository: string;
  pr: number;
}

/** The namespace's Deployments and StatefulSets, with replica counts and what sleep remembered. */
export async function listWorkloads(tools: KubeTools, namespace: string): Promise<Workload[]> {
  const list = await kubectlJson(tools, ['get', 'deployments,statefulsets', '--namespace', namespace]);
  const out: Workload[] = [];
  for (const o of list.items ?? []) {
    const kind = o.kind as Workload['kind'];
    if (kind !== 'Deployment' && kind !== 'StatefulSet') continue;
    const remembered = Number(o.metadata?.annotations?.[REPLICAS_BEFORE_SLEEP_ANNOTATION]);
    out.push({
      kind,
      name: o.metadata.name,
      // The API server defaults spec.replicas to 1 when a manifest leaves it out.
      replicas: typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1,
      resourceVersion: String(o.metadata?.resourceVersion ?? ''),
      replicasBeforeSleep: Number.isSafeInteger(remembered) && remembered > 0 ? remembered : undefined,
    });
  }
  return out.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

/** Reads the namespace (undefined when absent) and throws unless it carries our marks for this repository and PR. */
async function requireOurs(tools: KubeTools, namespace: string, owner: Owner): Promise<NamespaceState | undefined> {
  const state = await readNamespace(tools, namespace);
  if (!state.exists) return undefined;
  if (!isOwnedBy(state.marks, owner)) {
    throw new ActionError(
      `Namespace "${namespace}" does not carry preview-fleet's marks for ${owner.repository} PR #${owner.pr}; nothing in it is scaled`,
    );
  }
  return state;
}

/** One merge patch with the resourceVersion read: replicas and the remembered count together, or a 409. */
async function patchWorkload(
  tools: KubeTools,
  namespace: string,
  w: Workload,
  replicas: number,
  remember: string | null,
): Promise<void> {
  const body = {
    metadata: { resourceVersion: w.resourceVersion, annotations: { [REPLICAS_BEFORE_SLEEP_ANNOTATION]: remember } },
    spec: { replicas },
  };
  await runKubectl(tools, [
    'patch',
    `${w.kind.toLowerCase()}/${w.name}`,
    '--namespace',
    namespace,
    '--type',
    'merge',
    '--patch',
    JSON.stringify(body),
  ]);
}

async function annotateNamespace(tools: KubeTools, namespace: string, value: string | undefined): Promise<void> {
  const arg = value === undefined ? `${SLEEPING_SINCE_ANNOTATION}-` : `${SLEEPING_SINCE_ANNOTATION}=${value}`;
  await runKubectl(tools, ['annotate', 'namespace', namespace, arg, '--overwrite']);
}

/**
 * Puts the PR's preview in `namespace` to sleep: every running workload to 0 with its count
 * remembered, then the namespace stamped `sleeping-since`. Idempotent (a sleeping workload is
 * left as it is); a namespace that is gone is nothing to do; one not ours throws before any change.
 */
export async function sleepNamespace(
  tools: KubeTools,
  namespace: string,
  owner: Owner,
  at: string,
): Promise<SleepChange[]> {
  const state = await requireOurs(tools, namespace, owner);
  if (!state) return [];
  const changes: SleepChange[] = [];
  for (const w of await listWorkloads(tools, namespace)) {
    if (w.replicas === 0) continue;
    await patchWorkload(tools, namespace, w, 0, String(w.replicas));
    changes.push({ kind: w.kind, name: w.name, from: w.replicas, to: 0 });
  }
  if (!state.annotations[SLEEPING_SINCE_ANNOTATION]) await annotateNamespace(tools, namespace, at);
  return changes;
}

/**
 * Wakes the PR's preview: every workload with a remembered count gets it back (the annotation
 * removed in the same patch), then `sleeping-since` is removed. Awake workloads are left alone;
 * a namespace that is gone (or was never created) is nothing to do.
 */
export async function wakeNamespace(tools: KubeTools, namespace: string, owner: Owner): Promise<SleepChange[]> {
  const state = await requireOurs(tools, namespace, owner);
  if (!state) return [];
  const changes: SleepChange[] = [];
  for (const w of await listWorkloads(tools, namespace)) {
    if (w.replicasBeforeSleep === undefined) continue;
    const to = w.replicas === 0 ? w.replicasBeforeSleep : w.replicas;
    await patchWorkload(tools, namespace, w, to, null);
    changes.push({ kind: w.kind, name: w.name, from: w.replicas, to });
  }
  if (state.annotations[SLEEPING_SINCE_ANNOTATION]) await annotateNamespace(tools, namespace, undefined);
  return changes;
}

/** When the namespace's preview was last deployed (the deploy's `deployed-at`), from its annotations. */
export function deployedAtOf(annotations: Record<string, string>): string | undefined {
  return annotations[ANNOTATIONS.deployedAt] || undefined;
}
