/**
 * What the control loops share: the reconcile context, owner references, conditions, events,
 * template hashes.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../server/errors.js';
import type { Scenarios } from '../scenarios.js';
import type { KubeObject, ObjectStore, OwnerReference, ResourceType } from '../storage/store.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What every reconcile function gets. */
export interface Ctl {
  store: ObjectStore;
  scenarios: Scenarios;
  /** How long a container takes to start (and a PVC to bind). */
  delayMs: number;
  now(): number;
  /** Runs `key`'s reconcile again after `ms` (coalesced per key). */
  requeue(key: string, ms: number): void;
  type(group: string, resource: string): ResourceType;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const VERSIONS: Record<string, string> = {
  '': 'v1',
  apps: 'v1',
  batch: 'v1',
  policy: 'v1',
  autoscaling: 'v2',
  'networking.k8s.io': 'v1',
};

export function lookupType(store: ObjectStore, group: string, resource: string): ResourceType {
  const t = store.types.get(group, VERSIONS[group] ?? 'v1', resource);
  if (!t) throw new Error(`type ${resource}.${group} is not registered`);
  return t;
}

export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.metadata.uid);
}

/** The controlling owner's reference, if any. */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** FNV-1a 32 over the JSON, rendered like k8s rand.SafeEncodeString(fmt.Sprint(hash)). */
export function templateHash(value: unknown, collisionCount = 0): string {
  const text = stableJson(value) + (collisionCount ? String(collisionCount) : '');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function randomSuffix(n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Sets a condition, keeping its transition time when the status did not change and its update
 * time when nothing changed at all, so a reconcile that finds nothing new writes nothing.
 */
export function setCondition(
  list: Condition[] | undefined,
  c: Condition,
  now: string,
  opts: { updateTime?: boolean; probeTime?: boolean } = {},
): Condition[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? out[i] : undefined;
  const same = old !== undefined && old.status === c.status && old.reason === c.reason && old.message === c.message;
  const next: Condition = {
    type: c.type,
    status: c.status,
    ...(opts.probeTime ? { lastProbeTime: null } : {}),
    ...(opts.updateTime ? { lastUpdateTime: same ? (old.lastUpdateTime ?? now) : now } : {}),
    lastTransitionTime: old !== undefined && old.status === c.status ? (old.lastTransitionTime ?? now) : now,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
  };
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

export function getCondition(o: KubeObject, type: string): Condition | undefined {
  return ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
}

/** Writes `status` when it differs (the store keeps the resourceVersion for a no-op). Ignores objects that went away. */
export function writeStatus(ctl: Ctl, t: ResourceType, o: KubeObject, status: Obj): void {
  try {
    ctl.store.update(t, { ...o, metadata: { ...o.metadata, resourceVersion: undefined }, status }, { status: true });
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
  }
}

/** Records an Event about `about`, as a controller or the kubelet would (a repeat bumps count and lastTimestamp). */
export function recordEvent(
  ctl: Ctl,
  about: KubeObject,
  e: { type: 'Normal' | 'Warning'; reason: string; message: string; component: string; fieldPath?: string },
): void {
  const ns = about.metadata.namespace ?? 'default';
  const t = ctl.type('', 'events');
  const now = iso(ctl.now());
  const existing = ctl.store.list(t, ns).find((x) => {
    const io = x.involvedObject as Obj | undefined;
    return io?.uid === about.metadata.uid && x.reason === e.reason && x.message === e.message;
  });
  if (existing) {
    ctl.store.update(t, { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: now });
    return;
  }
  const ev: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${about.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
    involvedObject: {
      kind: about.kind,
      namespace: about.metadata.namespace,
      name: about.metadata.name,
      uid: about.metadata.uid,
      apiVersion: about.apiVersion,
      resourceVersion: about.metadata.resourceVersion,
      ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
    },
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.component === 'kubelet' ? { host: NODE_NAME } : {}) },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: e.component === 'kubelet' ? NODE_NAME : '',
  };
  try {
    ctl.store.create(t, ev);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
}

/** The one node pods are "scheduled" on. */
export const NODE_NAME = 'sandbox-node';

export function replicasOf(o: KubeObject, fallback = 1): number {
  const r = (o.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof r === 'number' ? r : fallback;
}

/** Resolves an int-or-percent (`25%`, `1`) against a total, rounding up or down as the API says. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

export function labelsMatch(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObj(selector)) return false;
  const l = labels ?? {};
  const ml = (selector.matchLabels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Array<{ key: string; operator: string; values?: string[] }>) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Status fields the real controllers omit when zero (`omitempty`). */
export function counts(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
}
