/**
 * The deployment controller: ReplicaSets per pod template and the status rollouts are read from.
 */
import type { KubeObject } from '../storage/store.js';
import {
  controllerRef,
  getCondition,
  iso,
  labelsMatch,
  ownedBy,
  recordEvent,
  replicasOf,
  scaledValue,
  setCondition,
  stableJson,
  templateHash,
  writeStatus,
  type Condition,
  type Ctl,
  type Obj,
  counts,
} from './common.js';

const REVISION = 'deployment.kubernetes.io/revision';

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
  const spec = (d.spec ?? {}) as {
    replicas?: number;
    paused?: boolean;
    template?: Obj;
    selector?: { matchLabels?: Record<string, string> };
    minReadySeconds?: number;
    progressDeadlineSeconds?: number;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } };
  };
  const replicas = replicasOf(d);
  const owned = ctl.store.list(rsT, ns).filter((rs) => ownedBy(rs, d));
  const want = stableJson(spec.template ?? {});
  let newRs = owned.find((rs) => stableJson(withoutHash((rs.spec as Obj).template)) === want);
  const maxRev = Math.max(0, ...owned.map(revisionOf));
  const surge =
    spec.strategy?.type === 'Recreate'
      ? 0
      : scaledValue(spec.strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, true);
  const maxUnavailable =
    spec.strategy?.type === 'Recreate'
      ? replicas
      : scaledValue(spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%', replicas, false);
  if (spec.paused) return writeDeploymentStatus(ctl, d, owned, newRs, maxUnavailable);

  if (!newRs) {
    // An orphaned ReplicaSet with this template (e.g. left by `delete --cascade=orphan`) is adopted, as the real controller does.
    const orphan = ctl.store
      .list(rsT, ns)
      .find(
        (rs) =>
          !(rs.metadata.ownerReferences ?? []).some((r) => r.controller) &&
          labelsMatch(spec.selector, rs.metadata.labels) &&
          stableJson(withoutHash((rs.spec as Obj).template)) === want,
      );
    if (orphan) {
      newRs = ctl.store.update(rsT, {
        ...orphan,
        metadata: {
          ...orphan.metadata,
          ownerReferences: [...(orphan.metadata.ownerReferences ?? []), controllerRef(d)],
        },
      });
      owned.push(newRs);
    }
  }
  if (!newRs) {
    // A name taken by someone else's ReplicaSet moves to the next hash, like status.collisionCount.
    let collisions = 0;
    while (ctl.store.get(rsT, ns, `${d.metadata.name}-${templateHash(spec.template ?? {}, collisions)}`)) collisions++;
    const hash = templateHash(spec.template ?? {}, collisions);
    const template = structuredClone(spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
    };
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
        selector: {
          ...(spec.selector ?? {}),
          matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash },
        },
        template,
      },
    };
    newRs = ctl.store.create(rsT, rs);
    recordEvent(ctl, d, {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set ${newRs.metadata.name} from 0 to ${replicas}`,
      component: 'deployment-controller',
    });
  } else {
    const annotations: Record<string, string> = {
      ...(newRs.metadata.annotations ?? {}),
      'deployment.kubernetes.io/desired-replicas': String(replicas),
      'deployment.kubernetes.io/max-replicas': String(replicas + surge),
    };
    // A rollback to an older template re-uses its ReplicaSet and makes it the newest revision.
    if (revisionOf(newRs) < maxRev) annotations[REVISION] = String(maxRev + 1);
    const from = replicasOf(newRs);
    newRs = ctl.store.update(rsT, {
      ...newRs,
      metadata: { ...newRs.metadata, annotations },
      spec: { ...(newRs.spec as Obj), replicas },
    });
    if (from !== replicas) {
      recordEvent(ctl, d, {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled ${from < replicas ? 'up' : 'down'} replica set ${newRs.metadata.name} from ${from} to ${replicas}`,
        component: 'deployment-controller',
      });
    }
  }

  // Old ReplicaSets keep serving until the new one's pods are available (never below what the strategy allows).
  const newAvailable = Number((newRs.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0);
  let oldBudget = spec.strategy?.type === 'Recreate' ? 0 : Math.max(0, replicas - newAvailable);
  const olds = owned
    .filter((rs) => rs.metadata.uid !== newRs.metadata.uid)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  for (const rs of olds) {
    const target = Math.min(replicasOf(rs), oldBudget);
    oldBudget -= target;
    if (target !== replicasOf(rs)) {
      ctl.store.update(rsT, { ...rs, spec: { ...(rs.spec as Obj), replicas: target } });
      recordEvent(ctl, d, {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled down replica set ${rs.metadata.name} from ${replicasOf(rs)} to ${target}`,
        component: 'deployment-controller',
      });
    }
  }
  const rev = newRs.metadata.annotations?.[REVISION];
  if (rev !== undefined && d.metadata.annotations?.[REVISION] !== rev) {
    d = ctl.store.update(dt, {
      ...d,
      metadata: {
        ...d.metadata,
        resourceVersion: undefined,
        annotations: { ...(d.metadata.annotations ?? {}), [REVISION]: rev },
      },
    });
  }
  const fresh = ctl.store.list(rsT, ns).filter((rs) => ownedBy(rs, d));
  writeDeploymentStatus(
    ctl,
    d,
    fresh,
    fresh.find((rs) => rs.metadata.uid === newRs.metadata.uid),
    maxUnavailable,
  );
}

function writeDeploymentStatus(
  ctl: Ctl,
  d: KubeObject,
  owned: KubeObject[],
  newRs: KubeObject | undefined,
  maxUnavailable: number,
): void {
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
  conds = setCondition(
    conds,
    available >= replicas - maxUnavailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    nowIso,
    { updateTime: true },
  );
  const name = newRs?.metadata.name ?? d.metadata.name;
  const complete = newRs !== undefined && updated === replicas && total === replicas && available === replicas;
  const paused = (d.spec as { paused?: boolean } | undefined)?.paused === true;
  const deadlineS = Number(
    (d.spec as { progressDeadlineSeconds?: number } | undefined)?.progressDeadlineSeconds ?? 600,
  );
  const progressing = getCondition(d, 'Progressing');
  if (paused) {
    conds = setCondition(
      conds,
      { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' },
      nowIso,
      { updateTime: true },
    );
  } else if (complete) {
    conds = setCondition(
      conds,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${name}" has successfully progressed.`,
      },
      nowIso,
      { updateTime: true },
    );
  } else if (progressing?.reason === 'ProgressDeadlineExceeded' && progressing.message?.includes(`"${name}"`)) {
    // stays failed until a new rollout starts
  } else {
    const next: Condition = {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${name}" is progressing.`,
    };
    conds = setCondition(conds, next, nowIso, { updateTime: true });
    const since = Date.parse(conds.find((c) => c.type === 'Progressing')?.lastUpdateTime ?? nowIso);
    const deadline = since + deadlineS * 1000;
    if (now >= deadline) {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${name}" has timed out progressing.`,
        },
        nowIso,
        { updateTime: true },
      );
      recordEvent(ctl, d, {
        type: 'Warning',
        reason: 'ProgressDeadlineExceeded',
        message: `Deployment "${d.metadata.name}" exceeded its progress deadline`,
        component: 'deployment-controller',
      });
    } else {
      ctl.requeue(`Deployment/${d.metadata.namespace}/${d.metadata.name}`, deadline - now + 50);
    }
  }
  // Available is listed before Progressing, as the real controller orders them.
  conds = [...conds.filter((c) => c.type === 'Available'), ...conds.filter((c) => c.type !== 'Available')];
  writeStatus(ctl, ctl.type('apps', 'deployments'), d, {
    observedGeneration: d.metadata.generation,
    ...counts({
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
    }),
    conditions: conds,
  });
}
