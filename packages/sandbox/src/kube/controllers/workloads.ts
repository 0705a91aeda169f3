/**
 * The replicaset, statefulset, daemonset and job controllers.
 */
import type { KubeObject } from '../storage/store.js';
import {
  getCondition,
  iso,
  ownedBy,
  randomSuffix,
  recordEvent,
  replicasOf,
  setCondition,
  templateHash,
  writeStatus,
  type Condition,
  type Ctl,
  type Obj,
  counts,
} from './common.js';
import { createPod, podPhase, podReady } from './pods.js';

function livePods(ctl: Ctl, owner: KubeObject): KubeObject[] {
  return ctl.store
    .list(ctl.type('', 'pods'), owner.metadata.namespace)
    .filter((p) => ownedBy(p, owner) && !p.metadata.deletionTimestamp);
}

function removePod(ctl: Ctl, owner: KubeObject, p: KubeObject, component: string): void {
  ctl.store.remove(ctl.type('', 'pods'), p.metadata.namespace, p.metadata.name);
  recordEvent(ctl, owner, {
    type: 'Normal',
    reason: 'SuccessfulDelete',
    message: `Deleted pod: ${p.metadata.name}`,
    component,
  });
}

/** The replicaset controller: pods up or down to spec.replicas, and the counts the deployment reads. */
export function reconcileReplicaSet(ctl: Ctl, rs: KubeObject): void {
  if (rs.metadata.deletionTimestamp) return;
  const want = replicasOf(rs);
  let pods = livePods(ctl, rs).filter((p) => !['Succeeded', 'Failed'].includes(podPhase(p)));
  const tpl = ((rs.spec as Obj).template ?? {}) as Obj;
  for (let i = pods.length; i < want; i++) {
    const p = createPod(ctl, rs, tpl, `${rs.metadata.name}-${randomSuffix(5)}`);
    if (!p) break;
    pods.push(p);
  }
  if (pods.length > want) {
    const order = [...pods].sort(
      (a, b) =>
        Number(podReady(a)) - Number(podReady(b)) ||
        (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
    );
    for (const p of order.slice(0, pods.length - want)) removePod(ctl, rs, p, 'replicaset-controller');
    pods = livePods(ctl, rs);
  }
  const ready = pods.filter(podReady).length;
  writeStatus(ctl, ctl.type('apps', 'replicasets'), rs, {
    replicas: pods.length,
    ...counts({ fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready }),
    observedGeneration: rs.metadata.generation,
  });
}

/**
 * The statefulset controller: pods `<name>-<ordinal>` (ordered unless podManagementPolicy is
 * Parallel), PVCs from volumeClaimTemplates, one outdated pod replaced at a time, and
 * current/update revisions that meet once every pod runs the new template.
 */
export function reconcileStatefulSet(ctl: Ctl, sts: KubeObject): void {
  if (sts.metadata.deletionTimestamp) return;
  const ns = sts.metadata.namespace;
  const podT = ctl.type('', 'pods');
  const spec = (sts.spec ?? {}) as {
    template?: Obj;
    serviceName?: string;
    podManagementPolicy?: string;
    volumeClaimTemplates?: KubeObject[];
    selector?: { matchLabels?: Record<string, string> };
  };
  const want = replicasOf(sts);
  const revision = `${sts.metadata.name}-${templateHash(spec.template ?? {})}`;
  const parallel = spec.podManagementPolicy === 'Parallel';
  let pods = livePods(ctl, sts);
  for (const p of pods) {
    const ordinal = Number(p.metadata.name.slice(sts.metadata.name.length + 1));
    if (ordinal >= want) removePod(ctl, sts, p, 'statefulset-controller');
  }
  pods = livePods(ctl, sts);
  const outdated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision);
  if (outdated.length > 0 && pods.every((p) => podReady(p) || outdated.includes(p))) {
    const highest = outdated.sort((a, b) =>
      b.metadata.name.localeCompare(a.metadata.name, undefined, { numeric: true }),
    )[0];
    removePod(ctl, sts, highest, 'statefulset-controller');
    pods = livePods(ctl, sts);
  }
  for (let i = 0; i < want; i++) {
    const name = `${sts.metadata.name}-${i}`;
    const existing = pods.find((p) => p.metadata.name === name);
    if (existing) {
      if (!parallel && !podReady(existing)) break;
      continue;
    }
    ensureClaims(ctl, sts, spec.volumeClaimTemplates ?? [], i);
    const tpl = structuredClone(spec.template ?? {}) as { spec?: Obj };
    tpl.spec = { ...(tpl.spec ?? {}), hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) };
    const p = createPod(ctl, sts, tpl as Obj, name, {
      'controller-revision-hash': revision,
      'statefulset.kubernetes.io/pod-name': name,
      'apps.kubernetes.io/pod-index': String(i),
    });
    if (!p || !parallel) break;
  }
  pods = ctl.store.list(podT, ns).filter((p) => ownedBy(p, sts) && !p.metadata.deletionTimestamp);
  const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision);
  const prev = (sts.status ?? {}) as { currentRevision?: string };
  const allUpdated = updated.length === want && updated.every(podReady);
  const currentRevision = allUpdated || !prev.currentRevision ? revision : prev.currentRevision;
  const current = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === currentRevision);
  const ready = pods.filter(podReady).length;
  writeStatus(ctl, ctl.type('apps', 'statefulsets'), sts, {
    observedGeneration: sts.metadata.generation,
    replicas: pods.length,
    ...counts({ readyReplicas: ready, currentReplicas: current.length, updatedReplicas: updated.length }),
    currentRevision,
    updateRevision: revision,
    collisionCount: 0,
    availableReplicas: ready,
  });
}

function ensureClaims(ctl: Ctl, sts: KubeObject, templates: KubeObject[], ordinal: number): void {
  const pvcT = ctl.type('', 'persistentvolumeclaims');
  for (const vct of templates) {
    const name = `${vct.metadata?.name ?? 'data'}-${sts.metadata.name}-${ordinal}`;
    if (ctl.store.get(pvcT, sts.metadata.namespace, name)) continue;
    const selector = ((sts.spec as Obj).selector ?? {}) as { matchLabels?: Record<string, string> };
    ctl.store.create(pvcT, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: sts.metadata.namespace, labels: { ...(selector.matchLabels ?? {}) } },
      spec: structuredClone((vct.spec ?? {}) as Obj),
      status: { phase: 'Pending' },
    });
  }
}

/** The daemonset controller on a one-node cluster: one pod, replaced when the template changes. */
export function reconcileDaemonSet(ctl: Ctl, ds: KubeObject): void {
  if (ds.metadata.deletionTimestamp) return;
  const spec = (ds.spec ?? {}) as { template?: Obj };
  const hash = templateHash(spec.template ?? {});
  let pods = livePods(ctl, ds);
  for (const p of pods.filter((x) => x.metadata.labels?.['controller-revision-hash'] !== hash))
    removePod(ctl, ds, p, 'daemonset-controller');
  pods = livePods(ctl, ds);
  if (pods.length === 0) {
    const p = createPod(ctl, ds, spec.template ?? {}, `${ds.metadata.name}-${randomSuffix(5)}`, {
      'controller-revision-hash': hash,
      'pod-template-generation': String(ds.metadata.generation ?? 1),
    });
    if (p) pods = [p];
  }
  const ready = pods.filter(podReady).length;
  writeStatus(ctl, ctl.type('apps', 'daemonsets'), ds, {
    currentNumberScheduled: pods.length,
    desiredNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    ...counts({ updatedNumberScheduled: pods.length, numberAvailable: ready, numberUnavailable: 1 - ready }),
  });
}

/**
 * The job controller: one pod at a time until `completions` succeeded (SuccessCriteriaMet then
 * Complete, as Kubernetes 1.31+ reports) or more than `backoffLimit` failed (FailureTarget then
 * Failed, reason BackoffLimitExceeded) — the conditions helm's hook wait reads.
 */
export function reconcileJob(ctl: Ctl, job: KubeObject): void {
  if (job.metadata.deletionTimestamp) return;
  if (getCondition(job, 'Complete')?.status === 'True' || getCondition(job, 'Failed')?.status === 'True') return;
  const spec = (job.spec ?? {}) as {
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    suspend?: boolean;
    template?: Obj;
  };
  if (spec.suspend) return;
  const completions = spec.completions ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  let pods = livePods(ctl, job);
  const count = (phase: string): number => pods.filter((p) => podPhase(p) === phase).length;
  const now = iso(ctl.now());
  const prev = (job.status ?? {}) as { startTime?: string; conditions?: Condition[] };
  const startTime = prev.startTime ?? now;
  let conds = prev.conditions ?? [];
  let completionTime: string | undefined;
  if (count('Succeeded') >= completions) {
    conds = setCondition(
      conds,
      {
        type: 'SuccessCriteriaMet',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      },
      now,
      { probeTime: true },
    );
    conds = setCondition(
      conds,
      {
        type: 'Complete',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      },
      now,
      { probeTime: true },
    );
    completionTime = now;
    recordEvent(ctl, job, {
      type: 'Normal',
      reason: 'Completed',
      message: 'Job completed',
      component: 'job-controller',
    });
  } else if (count('Failed') > backoffLimit) {
    conds = setCondition(
      conds,
      {
        type: 'FailureTarget',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
      now,
      { probeTime: true },
    );
    conds = setCondition(
      conds,
      {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
      now,
      { probeTime: true },
    );
    recordEvent(ctl, job, {
      type: 'Warning',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
      component: 'job-controller',
    });
  } else {
    const active = pods.filter((p) => !['Succeeded', 'Failed'].includes(podPhase(p))).length;
    const want = Math.min(spec.parallelism ?? 1, completions - count('Succeeded'));
    for (let i = active; i < want; i++) {
      const p = createPod(ctl, job, spec.template ?? {}, `${job.metadata.name}-${randomSuffix(5)}`);
      if (p) pods = [...pods, p];
    }
  }
  const active = pods.filter((p) => !['Succeeded', 'Failed'].includes(podPhase(p))).length;
  writeStatus(ctl, ctl.type('batch', 'jobs'), job, {
    ...(conds.length > 0 ? { conditions: conds } : {}),
    startTime,
    ...(completionTime ? { completionTime } : {}),
    ...counts({ active: completionTime ? 0 : active, succeeded: count('Succeeded'), failed: count('Failed') }),
    terminating: 0,
    uncountedTerminatedPods: {},
    ready: pods.filter(podReady).length,
  });
}
