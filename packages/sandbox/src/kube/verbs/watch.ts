/**
 * `?watch=true`: one JSON event per line from a resource version on, bookmarks, dropped watches.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { objectFilter } from '../storage/selectors.js';
import {
  apiVersionOf,
  type KubeObject,
  type ObjectStore,
  type ResourceType,
  type StoreEvent,
} from '../storage/store.js';

export interface WatchArgs {
  req: IncomingMessage;
  res: ServerResponse;
  store: ObjectStore;
  type: ResourceType;
  /** Only this namespace; all namespaces when absent (or for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** `?resourceVersion=`: unset or "0" starts with the current state as ADDED events; N replays history after N. */
  resourceVersion?: string;
  /** `?sendInitialEvents=true` (with resourceVersionMatch=NotOlderThan): current state, then an initial-events-end BOOKMARK. */
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  timeoutSeconds?: number;
  /** How often a watch with allowBookmarks gets a progress BOOKMARK (the real server: about a minute). */
  bookmarkIntervalMs?: number;
  /**
   * Re-renders each event's object, e.g. as a one-row meta.k8s.io Table when the client asked for
   * `as=Table` (`kubectl get -w`); `first` is true for the first object sent, the only one whose
   * Table carries columnDefinitions on the real server.
   */
  transform?: (o: KubeObject, first: boolean) => unknown;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** Open watches per store, so tests and the dropped-watch fault can see and cut them. */
const openWatches = new WeakMap<ObjectStore, Set<ServerResponse>>();

/** How many watch responses are open on `store` (tests wait for a client's watch to be in place). */
export function openWatchCount(store: ObjectStore): number {
  return openWatches.get(store)?.size ?? 0;
}

/** Destroys every open watch connection on `store`, as an apiserver restart or a load balancer idle cut does. */
export function dropWatches(store: ObjectStore): number {
  const set = openWatches.get(store);
  if (!set) return 0;
  const n = set.size;
  for (const res of [...set]) res.destroy();
  return n;
}

/**
 * Serves `?watch=true` as the apiserver does: a 200 whose body is one JSON event per line,
 * kept open until the client leaves or `timeoutSeconds` passes. Objects entering or leaving
 * the selectors become ADDED / DELETED. A resourceVersion older than the store's history gets
 * the real `410 Expired` ERROR event, which makes client-go relist. Throws ApiError (400) for a
 * bad selector before anything is written.
 */
export function serveWatch(args: WatchArgs): void {
  const { res, store, type } = args;
  const filter = objectFilter(args.labelSelector, args.fieldSelector);
  const inScope = (o: KubeObject): boolean =>
    !type.namespaced || args.namespace === undefined || o.metadata.namespace === args.namespace;
  const matches = (o: KubeObject): boolean => inScope(o) && filter(o);
  const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const sameType = (e: StoreEvent): boolean => e.resource.group === type.group && e.resource.resource === type.resource;

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  let sentObjects = 0;
  const send = (e: WatchEvent): void => {
    if (res.writableEnded || res.destroyed) return;
    const shaped =
      args.transform && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED')
        ? { type: e.type, object: args.transform(e.object as KubeObject, sentObjects === 0) }
        : e;
    if (shaped !== e) sentObjects++;
    res.write(`${JSON.stringify(shaped)}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void =>
    send({
      type: 'BOOKMARK',
      object: {
        kind: type.kind,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(store.currentRv()), ...(annotations ? { annotations } : {}) },
      },
    });

  /** Whether the client was last told the object matched (absent: never told). */
  const known = new Map<string, boolean>();
  /** After a resume: whether an object the client has not been told about matched at that resourceVersion. */
  let matchedAtStart: ((o: KubeObject) => boolean) | undefined;
  const rv = args.resourceVersion;
  const fromRv = rv !== undefined && rv !== '' && rv !== '0' && !args.sendInitialEvents ? Number(rv) : undefined;

  if (fromRv === undefined || Number.isNaN(fromRv)) {
    for (const o of store.list(type, type.namespaced ? args.namespace : undefined)) {
      if (!matches(o)) continue;
      known.set(keyOf(o), true);
      send({ type: 'ADDED', object: o });
    }
    if (args.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else if (fromRv < store.historyStart()) {
    send({
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${fromRv} (${store.historyStart() + 1})`,
        reason: 'Expired',
        code: 410,
      },
    });
    res.end();
    return;
  } else {
    const replay = store.history(fromRv).filter(sameType);
    // Whether an object matched at fromRv is only knowable from older history; fetched once, on demand.
    let before: Map<string, KubeObject | null> | undefined;
    matchedAtStart = (o: KubeObject): boolean => {
      if (!before) {
        before = new Map();
        for (const e of store.history(store.historyStart())) {
          if (e.rv > fromRv) break;
          if (sameType(e)) before.set(keyOf(e.object), e.type === 'DELETED' ? null : e.object);
        }
      }
      const prev = before.get(keyOf(o));
      return prev !== undefined && prev !== null && matches(prev);
    };
    for (const e of replay) deliver(e);
  }

  function deliver(e: StoreEvent): void {
    const o = e.object;
    if (!inScope(o)) return;
    const k = keyOf(o);
    const was = known.get(k) ?? (e.type !== 'ADDED' && matchedAtStart !== undefined && matchedAtStart(o));
    const now = e.type !== 'DELETED' && filter(o);
    if (e.type === 'DELETED') {
      known.set(k, false);
      if (was) send({ type: 'DELETED', object: o });
      return;
    }
    known.set(k, now);
    if (was && now) send({ type: 'MODIFIED', object: o });
    else if (!was && now) send({ type: 'ADDED', object: o });
    else if (was && !now) send({ type: 'DELETED', object: o });
  }

  const unsubscribe = store.subscribe((e) => {
    if (sameType(e)) deliver(e);
  });
  let set = openWatches.get(store);
  if (!set) {
    set = new Set();
    openWatches.set(store, set);
  }
  set.add(res);

  const timers: NodeJS.Timeout[] = [];
  if (args.timeoutSeconds !== undefined && args.timeoutSeconds > 0) {
    timers.push(setTimeout(() => res.end(), args.timeoutSeconds * 1000));
  }
  if (args.allowBookmarks) {
    const every = setInterval(() => bookmark(), args.bookmarkIntervalMs ?? 60_000);
    every.unref();
    timers.push(every);
  }
  // Node closes the request side as soon as the (empty) body is read; only the response's
  // close means the client went away.
  res.on('close', () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    set.delete(res);
  });
}
