import type { KubeObject } from '../store.js';
import {
  controllerRef, getCondition, iso, labelsMatch, ownedBy, randomSuffix, recordEvent, replicasOf, scaledValue, setCondition,
  stableJson, templateHash, writeStatus, type Condition, type Ctl, type Obj,
} from './common.js';
import { createPod, podPhase, podReady } from './pods.js';

const REVISION = 'deployment.kubernetes.io/revision';

/** Status fields the real controllers omit when zero (`omitempty`). */
function counts(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
}

function livePods(ctl: Ctl, owner: KubeObject): KubeObject[] {
  return ctl.store.list(ctl.type('', 'pods'), owner.metadata.namespace).filter((p) => ownedBy(p, owner) && !p.metadata.deletionTimestamp);
}

function removePod(ctl: Ctl, owner: KubeObject, p: KubeObject, component: string): void {
  ctl.store.remove(ctl.type('', 'pods'), p.metadata.namespace, p.metadata.name);
  recordEvent(ctl, owner, { type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, component });
}

function withoutHash(template: unknown): unknown {
  const t = structuredClone(template) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels['pod-template-hash'];
  }
  return t;
}

const revisionOf = (o: KubeObject): number => Number(o.metadata.annotations?.[REVISION] ?? '0');

/**
 * The deployment controller: a ReplicaSet per pod template (`<name>-<pod-template-hash>`,
 * revision annotation, controller ownerReference), the new one scaled to spec.replicas and old
 * ones down as new pods become available, and the status every waiter reads — observedGeneration,
 * replica counts, Available and Progressing (NewReplicaSetAvailable, or ProgressDeadlineExceeded).
 */
export function reconcileDeployment(ctl: Ctl, d: KubeObject): void {
  if (d.metadata.deletionTimestamp) return;
  const dt = ctl.type('apps', 'deployments');
  const rsT = ctl.type('apps', 'replicasets');
  const ns = d.metadata.namespace;
  const spec = (d.spec ?? {}) as { replicas?: number; paused?: boolean; template?: Obj; selector?: { matchLabels?: Record<string, string> }; minReadySeconds?: number; progressDeadlineSeconds?: number; strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } };
  const replicas = replicasOf(d);
  const owned = ctl.store.list(rsT, ns).filter((rs) => ownedBy(rs, d));
  const want = stableJson(spec.template ?? {});
  let newRs = owned.find((rs) => stableJson(withoutHash((rs.spec as Obj).template)) === want);
  const maxRev = Math.max(0, ...owned.map(revisionOf));
  const surge = spec.strategy?.type === 'Recreate' ? 0 : scaledValue(spec.strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, true);
  const maxUnavailable = spec.strategy?.type === 'Recreate' ? replicas : scaledValue(spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%', replicas, false);
  if (spec.paused) return writeDeploymentStatus(ctl, d, owned, newRs, maxUnavailable);

  if (!newRs) {
    // An orphaned ReplicaSet with this template (e.g. left by `delete --cascade=orphan`) is adopted, as the real controller does.
    const orphan = ctl.store.list(rsT, ns).find((rs) => !(rs.metadata.ownerReferences ?? []).some((r) => r.controller)
      && labelsMatch(spec.selector, rs.metadata.labels) && stableJson(withoutHash((rs.spec as Obj).template)) === want);
    if (orphan) {
      newRs = ctl.store.update(rsT, { ...orphan, metadata: { ...orphan.metadata, ownerReferences: [...(orphan.metadata.ownerReferences ?? []), controllerRef(d)] } });
      owned.push(newRs);
    }
  }
  if (!newRs) {
    // A name taken by someone else's ReplicaSet moves to the next hash, like status.collisionCount.
    let collisions = 0;
    while (ctl.store.get(rsT, ns, `${d.metadata.name}-${templateHash(spec.template ?? {}, collisions)}`)) collisions++;
    const hash = templateHash(spec.template ?? {}, collisions);
    const template = structuredClone(spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + surge),
          [REVISION]: String(maxRev + 1),
        },
        ownerReferences: [controllerRef(d)],
      },
      spec: {
        replicas,
        ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}),
        selector: { ...(spec.selector ?? {}), matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template,
      },
    };
    newRs = ctl.store.create(rsT, rs);
    recordEvent(ctl, d, { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${newRs.metadata.name} from 0 to ${replicas}`, component: 'deployment-controller' });
  } else {
    const annotations: Record<string, string> = { ...(newRs.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + surge) };
    // A rollback to an older template re-uses its ReplicaSet and makes it the newest revision.
    if (revisionOf(newRs) < maxRev) annotations[REVISION] = String(maxRev + 1);
    const from = replicasOf(newRs);
    newRs = ctl.store.update(rsT, { ...newRs, metadata: { ...newRs.metadata, annotations }, spec: { ...(newRs.spec as Obj), replicas } });
    if (from !== replicas) {
      recordEvent(ctl, d, { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${from < replicas ? 'up' : 'down'} replica set ${newRs.metadata.name} from ${from} to ${replicas}`, component: 'deployment-controller' });
    }
  }

  // Old ReplicaSets keep serving until the new one's pods are available (never below what the strategy allows).
  const newAvailable = Number((newRs.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0);
  let oldBudget = spec.strategy?.type === 'Recreate' ? 0 : Math.max(0, replicas - newAvailable);
  const olds = owned.filter((rs) => rs.metadata.uid !== newRs.metadata.uid).sort((a, b) => revisionOf(b) - revisionOf(a));
  for (const rs of olds) {
    const target = Math.min(replicasOf(rs), oldBudget);
    oldBudget -= target;
    if (target !== replicasOf(rs)) {
      ctl.store.update(rsT, { ...rs, spec: { ...(rs.spec as Obj), replicas: target } });
      recordEvent(ctl, d, { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled down replica set ${rs.metadata.name} from ${replicasOf(rs)} to ${target}`, component: 'deployment-controller' });
    }
  }
  const rev = newRs.metadata.annotations?.[REVISION];
  if (rev !== undefined && d.metadata.annotations?.[REVISION] !== rev) {
    d = ctl.store.update(dt, { ...d, metadata: { ...d.metadata, resourceVersion: undefined, annotations: { ...(d.metadata.annotations ?? {}), [REVISION]: rev } } });
  }
  const fresh = ctl.store.list(rsT, ns).filter((rs) => ownedBy(rs, d));
  writeDeploymentStatus(ctl, d, fresh, fresh.find((rs) => rs.metadata.uid === newRs.metadata.uid), maxUnavailable);
}

function writeDeploymentStatus(ctl: Ctl, d: KubeObject, owned: KubeObject[], newRs: KubeObject | undefined, maxUnavailable: number): void {
  const replicas = replicasOf(d);
  const st = (rs: KubeObject | undefined, k: string): number => Number((rs?.status as Obj | undefined)?.[k] ?? 0);
  const sum = (k: string): number => owned.reduce((n, rs) => n + st(rs, k), 0);
  const total = sum('replicas');
  const updated = st(newRs, 'replicas');
  const ready = sum('readyReplicas');
  const available = sum('availableReplicas');
  const now = ctl.now();
  const nowIso = iso(now);
  const prev = (d.status ?? {}) as { conditions?: Condition[] };
  let conds = prev.conditions ?? [];
  conds = setCondition(conds, available >= replicas - maxUnavailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, nowIso, { updateTime: true });
  const name = newRs?.metadata.name ?? d.metadata.name;
  const complete = newRs !== undefined && updated === replicas && total === replicas && available === replicas;
  const paused = (d.spec as { paused?: boolean } | undefined)?.paused === true;
  const deadlineS = Number((d.spec as { progressDeadlineSeconds?: number } | undefined)?.progressDeadlineSeconds ?? 600);
  const progressing = getCondition(d, 'Progressing');
  if (paused) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowIso, { updateTime: true });
  } else if (complete) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, nowIso, { updateTime: true });
  } else if (progressing?.reason === 'ProgressDeadlineExceeded' && progressing.message?.includes(`"${name}"`)) {
    // stays failed until a new rollout starts
  } else {
    const next: Condition = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` };
    conds = setCondition(conds, next, nowIso, { updateTime: true });
    const since = Date.parse(conds.find((c) => c.type === 'Progressing')?.lastUpdateTime ?? nowIso);
    const deadline = since + deadlineS * 1000;
    if (now >= deadline) {
      conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, nowIso, { updateTime: true });
      recordEvent(ctl, d, { type: 'Warning', reason: 'ProgressDeadlineExceeded', message: `Deployment "${d.metadata.name}" exceeded its progress deadline`, component: 'deployment-controller' });
    } else {
      ctl.requeue(`Deployment/${d.metadata.namespace}/${d.metadata.name}`, deadline - now + 50);
    }
  }
  // Available is listed before Progressing, as the real controller orders them.
  conds = [...conds.filter((c) => c.type === 'Available'), ...conds.filter((c) => c.type !== 'Available')];
  writeStatus(ctl, ctl.type('apps', 'deployments'), d, {
    observedGeneration: d.metadata.generation,
    ...counts({ replicas: total, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available, unavailableReplicas: Math.max(0, replicas - available) }),
    conditions: conds,
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
    const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
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
  const spec = (sts.spec ?? {}) as { template?: Obj; serviceName?: string; podManagementPolicy?: string; volumeClaimTemplates?: KubeObject[]; selector?: { matchLabels?: Record<string, string> } };
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
    const highest = outdated.sort((a, b) => b.metadata.name.localeCompare(a.metadata.name, undefined, { numeric: true }))[0];
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
    const p = createPod(ctl, sts, tpl as Obj, name, { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(i) });
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
  for (const p of pods.filter((x) => x.metadata.labels?.['controller-revision-hash'] !== hash)) removePod(ctl, ds, p, 'daemonset-controller');
  pods = livePods(ctl, ds);
  if (pods.length === 0) {
    const p = createPod(ctl, ds, spec.template ?? {}, `${ds.metadata.name}-${randomSuffix(5)}`, { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) });
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
  const spec = (job.spec ?? {}) as { completions?: number; parallelism?: number; backoffLimit?: number; suspend?: boolean; template?: Obj };
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
    conds = setCondition(conds, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }, now, { probeTime: true });
    conds = setCondition(conds, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }, now, { probeTime: true });
    completionTime = now;
    recordEvent(ctl, job, { type: 'Normal', reason: 'Completed', message: 'Job completed', component: 'job-controller' });
  } else if (count('Failed') > backoffLimit) {
    conds = setCondition(conds, { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }, now, { probeTime: true });
    conds = setCondition(conds, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }, now, { probeTime: true });
    recordEvent(ctl, job, { type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', component: 'job-controller' });
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

