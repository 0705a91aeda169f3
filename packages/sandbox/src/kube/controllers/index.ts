/**
 * The cluster's control loops for the stand-in: what kube-controller-manager, the scheduler and
 * the kubelet would do to objects clients write, so that helm's and kubectl's waits see real
 * progress. Driven by store events and timers only (no polling loop): every change schedules a
 * reconcile of the object (and of its owner) a moment later, and a reconcile that finds nothing
 * new writes nothing.
 */
import { collectDependents, reconcileNamespace, type DeleteContext } from './namespaces.js';
import type { Scenarios } from '../scenarios.js';
import type { KubeObject, ObjectStore, StoreEvent } from '../storage/store.js';
import { controllerOf, lookupType, type Ctl } from './common.js';
import { forgetPod, reconcilePod } from './pods.js';
import { reconcileAutoscaler, reconcileBudget, reconcileClaim, reconcileQuota } from './status.js';
import { reconcileDeployment } from './deployment.js';
import { reconcileDaemonSet, reconcileJob, reconcileReplicaSet, reconcileStatefulSet } from './workloads.js';

export interface ControllerOptions {
  /**
   * How long a container takes to start, a PVC to bind and a namespace to be emptied (default
   * 1000 ms). Controllers themselves react within a tenth of it. Tests use 50–200 ms.
   */
  delayMs?: number;
  scenarios: Scenarios;
  clock?: { now(): number };
}

export interface Controllers {
  stop(): void;
  /** Reconcile failures (a bug or a conflict that was retried), newest last, for tests to assert empty. */
  errors: string[];
  /** Resolves once no reconcile is pending: the cluster has converged (or waits on nothing but clients). */
  idle(): Promise<void>;
}

type Reconcile = (ctl: Ctl, o: KubeObject) => void;

/** Kinds with a control loop, by `group/Kind`. */
const LOOPS: Record<string, { group: string; resource: string; run: Reconcile }> = {
  'apps/Deployment': { group: 'apps', resource: 'deployments', run: reconcileDeployment },
  'apps/ReplicaSet': { group: 'apps', resource: 'replicasets', run: reconcileReplicaSet },
  'apps/StatefulSet': { group: 'apps', resource: 'statefulsets', run: reconcileStatefulSet },
  'apps/DaemonSet': { group: 'apps', resource: 'daemonsets', run: reconcileDaemonSet },
  'batch/Job': { group: 'batch', resource: 'jobs', run: reconcileJob },
  '/Pod': { group: '', resource: 'pods', run: reconcilePod },
  'policy/PodDisruptionBudget': { group: 'policy', resource: 'poddisruptionbudgets', run: reconcileBudget },
  '/ResourceQuota': { group: '', resource: 'resourcequotas', run: reconcileQuota },
  'autoscaling/HorizontalPodAutoscaler': {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    run: reconcileAutoscaler,
  },
};

const OWNER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** Starts the control loops on `store`; `stop()` cancels every pending timer and unsubscribes. */
export function startControllers(store: ObjectStore, options: ControllerOptions): Controllers {
  const delayMs = options.delayMs ?? 1000;
  const reactMs = Math.max(1, Math.min(50, Math.round(delayMs / 10)));
  const clock = options.clock ?? { now: () => Date.now() };
  const pending = new Map<string, { timer: NodeJS.Timeout; due: number; run: () => void }>();
  const claimSeen = new Map<string, number>();
  const failures = new Map<string, number>();
  const errors: string[] = [];
  const idleWaiters: Array<() => void> = [];
  let stopped = false;
  const delCtx: DeleteContext = { store, scenarios: options.scenarios, clock };

  const ctl: Ctl = {
    store,
    scenarios: options.scenarios,
    delayMs,
    now: () => clock.now(),
    requeue: (key, ms) => scheduleKey(key, ms),
    type: (group, resource) => lookupType(store, group, resource),
  };

  /** Runs `run` after `ms`; a key already due sooner keeps its earlier time. */
  function schedule(key: string, ms: number, run: () => void): void {
    if (stopped) return;
    const due = Date.now() + ms;
    const cur = pending.get(key);
    if (cur && cur.due <= due) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      pending.delete(key);
      try {
        run();
        failures.delete(key);
      } catch (err) {
        errors.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        if (errors.length > 100) errors.shift();
        // try again, backing off (capped) so a persistent failure is no busy loop
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        schedule(key, Math.min(reactMs * 5 * 2 ** n, 10_000), run);
      }
      if (pending.size === 0) for (const w of idleWaiters.splice(0)) w();
    }, ms);
    pending.set(key, { timer, due, run });
  }

  /** `Kind/namespace/name` (or `Namespace//name`): reconcile whatever is stored there now. */
  function scheduleKey(key: string, ms: number): void {
    schedule(key, ms, () => {
      const [kind, ns, name] = key.split('/');
      if (kind === 'Namespace') {
        if (!reconcileNamespace(delCtx, name)) scheduleKey(key, delayMs);
        return;
      }
      if (kind === 'PersistentVolumeClaim') {
        const t = ctl.type('', 'persistentvolumeclaims');
        const o = store.get(t, ns, name);
        if (o) reconcileClaim(ctl, o, claimSeen.get(o.metadata.uid ?? '') ?? clock.now());
        return;
      }
      const loop = Object.entries(LOOPS).find(([k]) => k.endsWith(`/${kind}`))?.[1];
      if (!loop) return;
      const o = store.get(ctl.type(loop.group, loop.resource), ns || undefined, name);
      if (o) loop.run(ctl, o);
    });
  }

  const keyOf = (kind: string, ns: string | undefined, name: string): string => `${kind}/${ns ?? ''}/${name}`;

  function onEvent(e: StoreEvent): void {
    const o = e.object;
    const kind = o.kind;
    const ns = o.metadata.namespace;
    const gk = `${e.resource.group}/${kind}`;
    if (e.type === 'DELETED') {
      if (kind === 'Pod') forgetPod(o.metadata.uid);
      if (kind === 'PersistentVolumeClaim') claimSeen.delete(o.metadata.uid ?? '');
      // The garbage collector: dependents of an owner removed without them (e.g. by store.remove).
      if (OWNER_KINDS.has(kind))
        schedule(`gc/${o.metadata.uid ?? ''}`, reactMs, () => collectDependents(delCtx, o, 'Background'));
    } else if (LOOPS[gk]) {
      scheduleKey(keyOf(kind, ns, o.metadata.name), kind === 'Pod' && e.type === 'ADDED' ? reactMs : reactMs);
    }
    if (gk === '/PersistentVolumeClaim' && e.type !== 'DELETED') {
      if (!claimSeen.has(o.metadata.uid ?? '')) claimSeen.set(o.metadata.uid ?? '', clock.now());
      scheduleKey(keyOf(kind, ns, o.metadata.name), reactMs);
    }
    // Owners hear about their dependents (pods → ReplicaSet/StatefulSet/DaemonSet/Job, ReplicaSet → Deployment).
    const owner = controllerOf(o);
    if (owner && ns !== undefined) scheduleKey(keyOf(owner.kind, ns, owner.name), reactMs);
    if (ns !== undefined) namespaceFollowUps(e, ns);
    if (gk === '/Namespace' && o.metadata.deletionTimestamp && e.type !== 'DELETED')
      scheduleKey(keyOf('Namespace', undefined, o.metadata.name), delayMs);
  }

  /** Budgets, quotas and autoscalers summarise what their namespace holds; a terminating namespace is re-checked as its content goes. */
  function namespaceFollowUps(e: StoreEvent, ns: string): void {
    const kind = e.object.kind;
    if (kind === 'Event') return;
    if (kind === 'Pod')
      for (const pdb of store.list(ctl.type('policy', 'poddisruptionbudgets'), ns))
        scheduleKey(keyOf('PodDisruptionBudget', ns, pdb.metadata.name), reactMs);
    if (e.type !== 'MODIFIED' || kind === 'Pod') {
      for (const q of store.list(ctl.type('', 'resourcequotas'), ns))
        scheduleKey(keyOf('ResourceQuota', ns, q.metadata.name), reactMs);
    }
    if (['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind)) {
      for (const h of store.list(ctl.type('autoscaling', 'horizontalpodautoscalers'), ns))
        scheduleKey(keyOf('HorizontalPodAutoscaler', ns, h.metadata.name), reactMs);
    }
    const nsObj = store.get(ctl.type('', 'namespaces'), undefined, ns);
    if (nsObj?.metadata.deletionTimestamp) scheduleKey(keyOf('Namespace', undefined, ns), reactMs);
  }

  const unsubscribe = store.subscribe(onEvent);
  // Objects stored before the loops started get reconciled too.
  for (const [gk, loop] of Object.entries(LOOPS)) {
    const t = store.types.get(loop.group, gk.startsWith('autoscaling') ? 'v2' : 'v1', loop.resource);
    if (!t) continue;
    for (const o of store.list(t)) scheduleKey(keyOf(o.kind, o.metadata.namespace, o.metadata.name), reactMs);
  }
  const nsType = store.types.get('', 'v1', 'namespaces');
  for (const n of nsType ? store.list(nsType) : [])
    if (n.metadata.deletionTimestamp) scheduleKey(keyOf('Namespace', undefined, n.metadata.name), reactMs);

  return {
    errors,
    idle: () => (pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stop() {
      stopped = true;
      unsubscribe();
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
