/**
 * The KEDA HTTP add-on (http.keda.sh/v1alpha1 `HTTPScaledObject`) as the sandbox plays it, after
 * the add-on's documentation (keda.sh/http-add-on, docs/ref/…/http_scaled_object.md):
 * - the interceptor routes a request by its Host header (exact hosts before `*.` wildcards, the
 *   longest of `pathPrefixes`, default `/`) to `scaleTargetRef.service` in the object's namespace;
 * - with no Ready pod behind that Service it holds the request, the scaler reports it pending and
 *   KEDA scales the workload 0 → 1 (written to the kube stand-in's store, as KEDA's scale call
 *   would); the stand-in's controllers start the pod, and the request is forwarded once it is
 *   Ready — or answered 502 after `spec.timeouts.conditionWait` (the interceptor's default,
 *   KEDA_CONDITION_WAIT_TIMEOUT, is 20 s);
 * - KEDA polls every `pollingIntervalMs` and scales a workload with `replicas.min` 0 (the default)
 *   back to 0 once no request is in flight and `scaledownPeriod` (default 300 s) has passed since
 *   the last one — or, never active yet, `initialCooldownPeriod` (default 0) since it first saw the
 *   object.
 * Not modelled: replicas above 1 (concurrency / request-rate targets), `responseHeader` timeouts
 * (the stand-in's backends answer at once), placeholder pages, InterceptorRoute (v1beta1).
 */
import type { KubeObject, ObjectStore, ResourceType } from '../kube/storage/store.js';
import { realAddOnClock, type AddOnClock } from './clock.js';

export { ManualClock, realAddOnClock, type AddOnClock } from './clock.js';

export const HTTP_SCALED_OBJECT: ResourceType = {
  group: 'http.keda.sh',
  version: 'v1alpha1',
  resource: 'httpscaledobjects',
  kind: 'HTTPScaledObject',
  singular: 'httpscaledobject',
  namespaced: true,
  shortNames: ['httpso'],
  subresources: ['status'],
};

/** The add-on's interceptor proxy Service, as its Helm chart names it. */
export const INTERCEPTOR_SERVICE = 'keda-add-ons-http-interceptor-proxy';
/** KEDA_CONDITION_WAIT_TIMEOUT's default. */
export const DEFAULT_CONDITION_WAIT_MS = 20_000;
/** The HTTPScaledObject's documented scaledownPeriod default (seconds). */
export const DEFAULT_SCALEDOWN_PERIOD_S = 300;

export interface InterceptorAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** One request that found its workload asleep: where the cold start's time went (real ms). */
export interface Wake {
  host: string;
  namespace: string;
  workload: string;
  status: number;
  /** Request held → KEDA's scale to 1 written. */
  scaleMs: number;
  /** Scale written → a Ready pod behind the Service. */
  podReadyMs: number;
  /** Ready → the backend's answer forwarded. */
  forwardMs: number;
  totalMs: number;
}

export interface KedaHttpAddOnOptions {
  /** Default: real timers. Tests pass a ManualClock and `advance` it past scaledownPeriod. */
  clock?: AddOnClock;
  /** KEDA's pollingInterval for scale-down decisions (default 30 s, KEDA's own). */
  pollingIntervalMs?: number;
  /** The add-on's namespace (default keda). */
  namespace?: string;
}

export interface KedaHttpAddOn {
  type: ResourceType;
  /** True for an ExternalName that points at the interceptor proxy (`<svc>.<ns>[.svc[.cluster.local]]`). */
  isInterceptor(externalName: string): boolean;
  /** What the interceptor answers; `backend` answers for a Service with a Ready pod. */
  intercept(
    host: string,
    path: string,
    backend: (namespace: string, service: string) => InterceptorAnswer,
  ): Promise<InterceptorAnswer>;
  /** One KEDA poll now (the timer runs it every pollingIntervalMs). */
  poll(): void;
  /** Requests held right now, waiting for a Ready pod. */
  held(): number;
  wakes(): Wake[];
  /** Scale changes KEDA wrote, oldest first. */
  scalings(): Array<{ namespace: string; workload: string; replicas: number; at: number }>;
  stop(): void;
}

type Spec = {
  hosts?: string[];
  pathPrefixes?: string[];
  scaleTargetRef?: { name?: string; kind?: string; service?: string };
  replicas?: { min?: number; max?: number };
  scaledownPeriod?: number;
  initialCooldownPeriod?: number;
  timeouts?: { conditionWait?: string };
};

const specOf = (o: KubeObject): Spec => (o.spec as Spec | undefined) ?? {};

/** A Go duration (`45s`, `1m30s`, `500ms`) in ms; undefined when it is not one. */
export function goDurationMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, u: string) => {
    ms += Number(n) * units[u]!;
    return '';
  });
  return rest === '' ? ms : undefined;
}

function podReady(p: KubeObject): boolean {
  const conditions =
    (p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return !p.metadata.deletionTimestamp && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Registers HTTPScaledObject on the store and starts the interceptor, scaler and KEDA's polls. */
export function startKedaHttpAddOn(store: ObjectStore, options: KedaHttpAddOnOptions = {}): KedaHttpAddOn {
  const type = store.types.registerCustom(HTTP_SCALED_OBJECT);
  const clock = options.clock ?? realAddOnClock;
  const pollMs = options.pollingIntervalMs ?? 30_000;
  const addOnNs = options.namespace ?? 'keda';
  const t = (group: string, resource: string) => store.types.get(group, 'v1', resource)!;
  const activity = new Map<string, { inflight: number; lastActive?: number; firstSeen: number }>();
  const wakes: Wake[] = [];
  const scalings: Array<{ namespace: string; workload: string; replicas: number; at: number }> = [];
  let holding = 0;
  let stopped = false;
  let timer: { cancel(): void } | undefined;

  const stateOf = (o: KubeObject) => {
    const key = o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`;
    let s = activity.get(key);
    if (!s) activity.set(key, (s = { inflight: 0, firstSeen: clock.now() }));
    return s;
  };

  const route = (host: string, path: string): KubeObject | undefined => {
    let best: { o: KubeObject; rank: number } | undefined;
    for (const o of store.list(type)) {
      const spec = specOf(o);
      const hosts = spec.hosts?.length ? spec.hosts : ['*'];
      const hostRank = Math.max(
        ...hosts.map((h) => {
          const p = h.toLowerCase();
          if (p === host) return 3000;
          if (p.startsWith('*.') && host.endsWith(p.slice(1))) return 2000 + p.length;
          return p === '*' || p === '' ? 1000 : -1;
        }),
      );
      if (hostRank < 0) continue;
      const prefix = Math.max(
        ...(spec.pathPrefixes?.length ? spec.pathPrefixes : ['/']).map((p) => (path.startsWith(p) ? p.length : -1)),
      );
      if (prefix < 0) continue;
      const rank = hostRank * 10_000 + prefix;
      if (!best || rank > best.rank) best = { o, rank };
    }
    return best?.o;
  };

  const readyBehind = (ns: string, service: string): boolean => {
    const svc = store.get(t('', 'services'), ns, service);
    const selector = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
    const entries = Object.entries(selector);
    if (!svc || entries.length === 0) return false;
    return store
      .list(t('', 'pods'), ns)
      .some((p) => entries.every(([k, v]) => p.metadata.labels?.[k] === v) && podReady(p));
  };

  const workloadType = (kind = 'Deployment') =>
    kind === 'StatefulSet' ? t('apps', 'statefulsets') : t('apps', 'deployments');

  /** KEDA's scale call: spec.replicas of the target, if it is not already that. */
  const scale = (o: KubeObject, replicas: number): boolean => {
    const ref = specOf(o).scaleTargetRef ?? {};
    const ns = o.metadata.namespace!;
    const name = ref.name ?? ref.service ?? '';
    const wt = workloadType(ref.kind);
    const w = store.get(wt, ns, name);
    if (!w || w.metadata.deletionTimestamp) return false;
    const spec = (w.spec as { replicas?: number }) ?? {};
    if ((spec.replicas ?? 1) === replicas) return false;
    store.update(wt, { ...w, spec: { ...spec, replicas } });
    scalings.push({ namespace: ns, workload: name, replicas, at: clock.now() });
    return true;
  };

  /** Resolves true once `ready()` holds (checked on every store change), false after `ms` on the add-on's clock. */
  const waitUntil = (ready: () => boolean, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (ready()) return resolve(true);
      const done = (v: boolean) => {
        off();
        deadline.cancel();
        resolve(v);
      };
      const off = store.subscribe(() => {
        if (ready()) done(true);
      });
      const deadline = clock.setTimer(() => done(false), ms);
    });

  const poll = (): void => {
    const now = clock.now();
    for (const o of store.list(type)) {
      const spec = specOf(o);
      if ((spec.replicas?.min ?? 0) !== 0 || o.metadata.deletionTimestamp) continue;
      const s = stateOf(o);
      if (s.inflight > 0) continue;
      const idleSince = s.lastActive ?? s.firstSeen;
      const period =
        s.lastActive === undefined
          ? (spec.initialCooldownPeriod ?? 0)
          : (spec.scaledownPeriod ?? DEFAULT_SCALEDOWN_PERIOD_S);
      if (now - idleSince >= period * 1000) scale(o, 0);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimer(() => {
      try {
        poll();
      } finally {
        schedule();
      }
    }, pollMs);
  };
  schedule();

  return {
    type,
    isInterceptor: (name) => {
      const n = name.toLowerCase().replace(/\.$/, '');
      return [
        `${INTERCEPTOR_SERVICE}.${addOnNs}`,
        `${INTERCEPTOR_SERVICE}.${addOnNs}.svc`,
        `${INTERCEPTOR_SERVICE}.${addOnNs}.svc.cluster.local`,
      ].includes(n);
    },
    async intercept(host, path, backend) {
      const o = route(host.toLowerCase(), path);
      if (!o) return { status: 404, body: `interceptor: no HTTPScaledObject routes host ${host}` };
      const spec = specOf(o);
      const ns = o.metadata.namespace!;
      const service = spec.scaleTargetRef?.service ?? '';
      const s = stateOf(o);
      s.inflight++;
      s.lastActive = clock.now();
      try {
        if (readyBehind(ns, service)) return backend(ns, service);
        const t0 = performance.now();
        holding++;
        let scaledAt = t0;
        let ok: boolean;
        try {
          // The scaler reports the pending request; KEDA scales the workload from zero at once.
          scale(o, 1);
          scaledAt = performance.now();
          ok = await waitUntil(
            () => readyBehind(ns, service),
            goDurationMs(spec.timeouts?.conditionWait) ?? DEFAULT_CONDITION_WAIT_MS,
          );
        } finally {
          holding--;
        }
        const readyAt = performance.now();
        const answer = ok
          ? backend(ns, service)
          : {
              status: 502,
              body: 'error on backend: context marked done while waiting for workload reach > 0 replicas',
            };
        const end = performance.now();
        wakes.push({
          host,
          namespace: ns,
          workload: spec.scaleTargetRef?.name ?? service,
          status: answer.status,
          scaleMs: scaledAt - t0,
          podReadyMs: readyAt - scaledAt,
          forwardMs: end - readyAt,
          totalMs: end - t0,
        });
        return answer;
      } finally {
        s.inflight--;
        s.lastActive = clock.now();
      }
    },
    poll,
    held: () => holding,
    wakes: () => wakes.map((w) => ({ ...w })),
    scalings: () => scalings.map((x) => ({ ...x })),
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
