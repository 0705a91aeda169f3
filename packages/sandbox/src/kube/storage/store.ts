/**
 * The in-memory object store behind the Kubernetes stand-in: objects, resource versions, uids,
 * events for watches.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { applyDefaults } from './defaults.js';
import { ApiError, alreadyExists, conflict, invalid, notFound } from '../server/errors.js';
import { TypeRegistry, apiVersionOf } from './types.js';

export { ApiError } from '../server/errors.js';
export { TypeRegistry, apiVersionOf } from './types.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  generateName?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, as in the URL: `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  singular: string;
  subresources?: string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  /** A deep copy; the DELETED object carries the resourceVersion of its removal. */
  object: KubeObject;
  rv: number;
}

export interface StoreOptions {
  /** Source of creationTimestamp; defaults to Date.now. */
  clock?: { now(): number };
  /** How many events history() keeps (watch resume window). */
  historyLimit?: number;
}

/** Core kinds the real registry keeps no metadata.generation for (no spec/status split worth tracking). */
const NO_GENERATION = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Event',
  'Namespace',
  'Service',
  'LimitRange',
  'ResourceQuota',
  'PersistentVolumeClaim',
  'Pod',
]);

const clone = <T>(v: T): T => structuredClone(v);

/**
 * The stand-in's in-memory etcd: one global resourceVersion counter, deep copies in and out,
 * and an event stream that watch and the controllers read. It enforces storage rules only
 * (uniqueness, optimistic concurrency, generation, defaults); who may set which field is the
 * HTTP layer's business, so controllers can write anything.
 */
export class ObjectStore {
  readonly types: TypeRegistry;
  private rv = 1;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly events: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly clock: { now(): number };
  private readonly historyLimit: number;

  constructor(options: StoreOptions = {}, types = new TypeRegistry()) {
    this.types = types;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.historyLimit = options.historyLimit ?? 10_000;
  }

  currentRv(): number {
    return this.rv;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(t).get(objKey(t, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** All objects of a type, in one namespace or (undefined) across all, sorted by namespace then name. */
  list(t: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.bucket(t).values()) {
      if (namespace === undefined || !t.namespaced || o.metadata.namespace === namespace) out.push(clone(o));
    }
    return out.sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  }

  /** Stores a new object: uid, resourceVersion, generation 1, creationTimestamp and server defaults (`dryRun`: computed, not stored). */
  create(t: ResourceType, obj: KubeObject, opts: { dryRun?: boolean } = {}): KubeObject {
    const o = clone(obj);
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    o.metadata = { ...(o.metadata ?? {}) } as ObjectMeta;
    const meta = o.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name)
      throw invalid(t.kind, t.group, '', [
        {
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
          reason: 'FieldValueRequired',
        },
      ]);
    if (t.namespaced) {
      if (!meta.namespace) meta.namespace = 'default';
    } else {
      delete meta.namespace;
    }
    const bucket = this.bucket(t);
    const k = objKey(t, meta.namespace, meta.name);
    if (bucket.has(k)) throw alreadyExists(t.resource, t.group, meta.name);
    meta.uid = randomUUID();
    if (!NO_GENERATION.has(t.kind) || t.group !== '') meta.generation = 1;
    else delete meta.generation;
    meta.creationTimestamp = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    applyDefaults(t, o, undefined);
    if (opts.dryRun) return clone(o);
    meta.resourceVersion = String(++this.rv);
    bucket.set(k, o);
    this.emit('ADDED', t, o);
    return clone(o);
  }

  /**
   * Replaces an object. A stale `metadata.resourceVersion` is a Conflict; an empty one means
   * "unconditional". A write that changes nothing keeps the resourceVersion and emits nothing.
   * `generation` bumps when anything outside metadata and status changes. With `status: true`
   * only `.status` is taken from `obj`; without it `.status` is kept for types that have a status
   * subresource. An object with a deletionTimestamp whose last finalizer goes is removed
   * (for a Namespace, spec.finalizers count too).
   * `dryRun` computes the result without storing it (`?dryRun=All`).
   */
  update(t: ResourceType, obj: KubeObject, opts: { status?: boolean; dryRun?: boolean } = {}): KubeObject {
    const ns = t.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const bucket = this.bucket(t);
    const k = objKey(t, ns, obj.metadata.name);
    const cur = bucket.get(k);
    if (!cur) throw notFound(t.resource, t.group, obj.metadata.name);
    const wantRv = obj.metadata.resourceVersion;
    if (wantRv && wantRv !== cur.metadata.resourceVersion) throw conflict(t.resource, t.group, obj.metadata.name);

    let next: KubeObject;
    if (opts.status) {
      next = clone(cur);
      if (obj.status === undefined) delete next.status;
      else next.status = clone(obj.status);
    } else {
      next = clone(obj);
      next.metadata = { ...clone(obj.metadata) };
      if (t.subresources?.includes('status')) {
        if (cur.status === undefined) delete next.status;
        else next.status = clone(cur.status);
      }
    }
    next.apiVersion = apiVersionOf(t);
    next.kind = t.kind;
    const meta = next.metadata;
    meta.name = cur.metadata.name;
    if (ns !== undefined) meta.namespace = ns;
    else delete meta.namespace;
    meta.uid = cur.metadata.uid;
    meta.creationTimestamp = cur.metadata.creationTimestamp;
    if (cur.metadata.generation === undefined) delete meta.generation;
    else meta.generation = cur.metadata.generation;
    meta.resourceVersion = cur.metadata.resourceVersion;
    if (meta.deletionTimestamp === undefined && cur.metadata.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = cur.metadata.deletionTimestamp;
    }
    applyDefaults(t, next, cur);
    for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields'] as const) {
      const v = meta[f];
      if (v !== undefined && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0)) delete meta[f];
    }

    if (isDeepStrictEqual(next, cur)) return clone(cur);
    if (cur.metadata.generation !== undefined && !isDeepStrictEqual(specOf(next), specOf(cur)))
      meta.generation = cur.metadata.generation + 1;
    if (opts.dryRun) return clone(next);
    meta.resourceVersion = String(++this.rv);
    if (meta.deletionTimestamp && blockingFinalizers(t, next) === 0) {
      bucket.delete(k);
      this.emit('DELETED', t, next);
      return clone(next);
    }
    bucket.set(k, next);
    this.emit('MODIFIED', t, next);
    return clone(next);
  }

  /** Removes an object now (finalizers are the caller's business) and emits DELETED. */
  remove(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.bucket(t);
    const k = objKey(t, namespace, name);
    const cur = bucket.get(k);
    if (!cur) return undefined;
    bucket.delete(k);
    cur.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', t, cur);
    return clone(cur);
  }

  /** Events with rv > sinceRv still in the window. `historyStart()` says how far back it reaches. */
  history(sinceRv: number): StoreEvent[] {
    return this.events.filter((e) => e.rv > sinceRv).map((e) => ({ ...e, object: clone(e.object) }));
  }

  /** The oldest rv history() can resume from (a watch from an older rv gets 410 Gone). */
  historyStart(): number {
    return this.events.length === this.historyLimit ? this.events[0].rv - 1 : 0;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private bucket(t: ResourceType): Map<string, KubeObject> {
    const k = `${t.group}/${t.resource}`;
    let b = this.data.get(k);
    if (!b) {
      b = new Map();
      this.data.set(k, b);
    }
    return b;
  }

  private emit(type: WatchEventType, t: ResourceType, o: KubeObject): void {
    const e: StoreEvent = { type, resource: t, object: clone(o), rv: this.rv };
    this.events.push(e);
    if (this.events.length > this.historyLimit) this.events.shift();
    for (const fn of [...this.listeners]) {
      try {
        fn({ ...e, object: clone(e.object) });
      } catch {
        // a listener's failure must not break the write that triggered it
      }
    }
  }
}

function objKey(t: ResourceType, namespace: string | undefined, name: string): string {
  return t.namespaced ? `${namespace ?? 'default'}/${name}` : name;
}

/** metadata.finalizers, plus a Namespace's spec.finalizers (`kubernetes`), which the namespace controller clears. */
function blockingFinalizers(t: ResourceType, o: KubeObject): number {
  const spec = o.spec as { finalizers?: unknown } | undefined;
  const nsFinalizers =
    t.group === '' && t.kind === 'Namespace' && Array.isArray(spec?.finalizers) ? spec.finalizers.length : 0;
  return (o.metadata.finalizers?.length ?? 0) + nsFinalizers;
}

function specOf(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Guard for code that catches unknown errors. */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
