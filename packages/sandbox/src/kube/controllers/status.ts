/**
 * The small controllers: volume binding, disruption budgets, quota status, HPAs without metrics.
 */
import { quotaUsage } from '../scenarios.js';
import type { KubeObject } from '../storage/store.js';
import {
  iso,
  labelsMatch,
  replicasOf,
  scaledValue,
  setCondition,
  writeStatus,
  type Condition,
  type Ctl,
  type Obj,
} from './common.js';
import { podReady } from './pods.js';

/** The volume binder: a claim is Bound to a made-up volume `pvc-<uid>` once it is delayMs old. */
export function reconcileClaim(ctl: Ctl, pvc: KubeObject, firstSeen: number): void {
  if (pvc.metadata.deletionTimestamp) return;
  if ((pvc.status as { phase?: string } | undefined)?.phase === 'Bound') return;
  const age = ctl.now() - firstSeen;
  if (age < ctl.delayMs) {
    ctl.requeue(`PersistentVolumeClaim/${pvc.metadata.namespace}/${pvc.metadata.name}`, ctl.delayMs - age);
    return;
  }
  const t = ctl.type('', 'persistentvolumeclaims');
  const spec = (pvc.spec ?? {}) as {
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
    storageClassName?: string;
    volumeName?: string;
  };
  const bound = ctl.store.update(t, {
    ...pvc,
    metadata: {
      ...pvc.metadata,
      resourceVersion: undefined,
      annotations: {
        ...(pvc.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      },
    },
    spec: {
      ...spec,
      volumeName: spec.volumeName ?? `pvc-${pvc.metadata.uid ?? ''}`,
      storageClassName: spec.storageClassName ?? 'standard',
    },
  });
  writeStatus(ctl, t, bound, {
    phase: 'Bound',
    accessModes: spec.accessModes ?? ['ReadWriteOnce'],
    capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
  });
}

/** The disruption controller: healthy vs desired pods for the budget (what kstatus compares). */
export function reconcileBudget(ctl: Ctl, pdb: KubeObject): void {
  if (pdb.metadata.deletionTimestamp) return;
  const spec = (pdb.spec ?? {}) as { selector?: unknown; minAvailable?: unknown; maxUnavailable?: unknown };
  const pods = ctl.store
    .list(ctl.type('', 'pods'), pdb.metadata.namespace)
    .filter((p) => !p.metadata.deletionTimestamp && labelsMatch(spec.selector, p.metadata.labels));
  const expected = pods.length;
  const healthy = pods.filter(podReady).length;
  const desired =
    spec.minAvailable !== undefined
      ? scaledValue(spec.minAvailable, expected, true)
      : Math.max(0, expected - scaledValue(spec.maxUnavailable ?? 0, expected, true));
  const allowed = Math.max(0, healthy - desired);
  const now = iso(ctl.now());
  const prev = (pdb.status ?? {}) as { conditions?: Condition[] };
  const conditions = setCondition(
    prev.conditions,
    allowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' },
    now,
  );
  writeStatus(ctl, ctl.type('policy', 'poddisruptionbudgets'), pdb, {
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    conditions,
  });
}

/** The quota controller: status.hard mirrors spec.hard, status.used counts what the namespace holds. */
export function reconcileQuota(ctl: Ctl, q: KubeObject): void {
  if (q.metadata.deletionTimestamp) return;
  const hard = (q.spec as { hard?: Record<string, string | number> } | undefined)?.hard ?? {};
  const hardText = Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, String(v)]));
  writeStatus(ctl, ctl.type('', 'resourcequotas'), q, {
    hard: hardText,
    used: quotaUsage(ctl.store, q.metadata.namespace ?? 'default', hard),
  });
}

/** The HPA controller without metrics: the target's replicas, clamped to min/max. */
export function reconcileAutoscaler(ctl: Ctl, hpa: KubeObject): void {
  if (hpa.metadata.deletionTimestamp) return;
  const spec = (hpa.spec ?? {}) as {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
  };
  const ref = spec.scaleTargetRef ?? {};
  const t = ctl.store.types.all().find((x) => x.kind === ref.kind && x.namespaced);
  const target = t && ref.name ? ctl.store.get(t, hpa.metadata.namespace, ref.name) : undefined;
  const current = target ? Number((target.status as Obj | undefined)?.replicas ?? replicasOf(target)) : 0;
  const desired = Math.min(spec.maxReplicas ?? current, Math.max(spec.minReplicas ?? 1, current));
  const now = iso(ctl.now());
  let conditions = (hpa.status as { conditions?: Condition[] } | undefined)?.conditions;
  conditions = setCondition(
    conditions,
    target
      ? {
          type: 'AbleToScale',
          status: 'True',
          reason: 'SucceededGetScale',
          message: "the HPA controller was able to get the target's current scale",
        }
      : {
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedGetScale',
          message: `the HPA controller was unable to get the target's current scale: ${(ref.kind ?? '').toLowerCase()}s "${ref.name ?? ''}" not found`,
        },
    now,
  );
  writeStatus(ctl, ctl.type('autoscaling', 'horizontalpodautoscalers'), hpa, {
    currentReplicas: current,
    desiredReplicas: target ? desired : 0,
    conditions,
  });
}
