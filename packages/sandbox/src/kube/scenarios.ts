import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import { admitNamespacedCreate } from './namespaces.js';
import type { KubeObject, ObjectStore, ResourceType } from './store.js';

/** Per-object knob: on a workload, its pod template, or a Job. */
export const SCENARIO_ANNOTATION = 'sandbox.preview-fleet.dev/scenario';

/**
 * What the controllers make of a workload:
 * - `slow`: pods become ready only after several controller delays (a slow rollout);
 * - `image-pull-backoff` / `crash-loop`: pods never become ready, they wait with that reason and
 *   Warning events (`Failed`/`BackOff`) point at them — what `kubectl get events` shows on a real cluster;
 * - `job-fails`: a Job's pods fail until `backoffLimit`, then the Job gets `Failed=True` (BackoffLimitExceeded).
 */
export type ObjectScenario = 'slow' | 'image-pull-backoff' | 'crash-loop' | 'job-fails';
export const OBJECT_SCENARIOS: readonly ObjectScenario[] = ['slow', 'image-pull-backoff', 'crash-loop', 'job-fails'];

/** A fault for API requests, as a flaky apiserver or the proxy in front of EKS produces them. */
export interface ApiFault {
  /** Tested against the pathname, e.g. /apis/apps/v1/namespaces/app/deployments; any when absent. */
  pathPattern?: RegExp;
  /** Only this method (GET, PATCH, …); any when absent. */
  method?: string;
  /** Only watch requests (`?watch=true`) when true, only non-watch when false. */
  watch?: boolean;
  /** Answer with this status instead of serving the request. */
  status?: 429 | 500 | 503;
  /** Retry-After seconds on a 429 (default 1), which client-go honours by retrying. */
  retryAfterSeconds?: number;
  /** Delay before serving (or failing) the request. */
  latencyMs?: number;
  /** Serve the request but cut the connection after this long (a dropped watch). */
  dropAfterMs?: number;
  /** How many requests it hits; unlimited when absent. */
  times?: number;
}

export interface ScenariosOptions {
  /** How injected latency waits; real timers by default. */
  sleep?: (ms: number) => Promise<void>;
}

/** `denyCreates`: creates (of one resource, or all) refused as over quota `quotaName`. */
interface QuotaKnob {
  resource?: string;
  quotaName: string;
}

/**
 * The stand-in's knobs: per-object / per-namespace workload behaviour the controllers read,
 * API faults the router consults before serving a request, and quota admission for creates.
 */
export class Scenarios {
  private readonly byNamespace = new Map<string, ObjectScenario>();
  private readonly faults: Array<ApiFault & { remaining: number }> = [];
  private readonly quotaKnobs = new Map<string, QuotaKnob>();
  private readonly holds = new Map<string, string>();
  private readonly sleep: (ms: number) => Promise<void>;
  /** Every fault that fired: method, path and what it did (tests assert on it). */
  readonly firedFaults: Array<{ method: string; path: string; action: string }> = [];

  constructor(options: ScenariosOptions = {}) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Every workload in `namespace` behaves as `scenario` (undefined clears it); an object's own annotation wins. */
  setNamespaceScenario(namespace: string, scenario: ObjectScenario | undefined): void {
    if (scenario === undefined) this.byNamespace.delete(namespace);
    else this.byNamespace.set(namespace, scenario);
  }

  /** The scenario for an object: its annotation, its pod template's annotation, else its namespace's. */
  scenarioFor(o: KubeObject): ObjectScenario | undefined {
    const own = o.metadata.annotations?.[SCENARIO_ANNOTATION];
    const spec = o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
    const tpl = spec?.template?.metadata?.annotations?.[SCENARIO_ANNOTATION];
    for (const v of [own, tpl]) {
      if (v !== undefined && (OBJECT_SCENARIOS as readonly string[]).includes(v)) return v as ObjectScenario;
    }
    return o.metadata.namespace === undefined ? undefined : this.byNamespace.get(o.metadata.namespace);
  }

  /**
   * Keeps `namespace` in Terminating after its content is gone: its deletion adds `finalizer`
   * to metadata.finalizers, as a stuck operator's finalizer does. `releaseNamespace` lets it go.
   */
  holdNamespace(namespace: string, finalizer = 'sandbox.preview-fleet.dev/hold'): void {
    this.holds.set(namespace, finalizer);
  }

  /** The finalizer a held namespace gets on deletion. */
  holdFor(namespace: string): string | undefined {
    return this.holds.get(namespace);
  }

  /** Forgets the hold; the caller (or namespaces.releaseNamespace) removes the finalizer itself. */
  clearHold(namespace: string): void {
    this.holds.delete(namespace);
  }

  /** Every create in `namespace` (of `resource` only, e.g. "pods", when given) is refused as over quota `quotaName`. */
  denyCreates(namespace: string, knob: { resource?: string; quotaName?: string } = {}): void {
    this.quotaKnobs.set(namespace, { resource: knob.resource, quotaName: knob.quotaName ?? 'sandbox-quota' });
  }

  allowCreates(namespace: string): void {
    this.quotaKnobs.delete(namespace);
  }

  /**
   * Quota admission for a create, like the ResourceQuota plugin: throws the real 403
   * `<resource> "<name>" is forbidden: exceeded quota: <q>, requested: …, used: …, limited: …`
   * when an object-count or pod compute limit of a ResourceQuota in the namespace (or the
   * `denyCreates` knob) would be exceeded. The router calls it before `store.create`.
   */
  admitCreate(store: ObjectStore, t: ResourceType, o: KubeObject): void {
    const ns = o.metadata.namespace;
    if (!t.namespaced || ns === undefined) return;
    const qualified = t.group ? `${t.resource}.${t.group}` : t.resource;
    const name = o.metadata.name || `${o.metadata.generateName ?? ''}`;
    const knob = this.quotaKnobs.get(ns);
    if (knob && (knob.resource === undefined || knob.resource === t.resource || knob.resource === qualified)) {
      const key = countKey(t);
      throw quotaExceeded(t, name, `exceeded quota: ${knob.quotaName}, requested: ${key}=1, used: ${key}=0, limited: ${key}=0`);
    }
    const quotaType = store.types.get('', 'v1', 'resourcequotas');
    if (!quotaType) return;
    for (const q of store.list(quotaType, ns)) {
      const hard = ((q.spec as { hard?: Record<string, string | number> } | undefined)?.hard ?? {});
      const over = checkQuota(store, t, o, ns, hard);
      if (over.missing) throw quotaExceeded(t, name, `failed quota: ${q.metadata.name}: must specify ${over.missing}`);
      if (over.exceeded.length > 0) {
        const fmt = (k: 'requested' | 'used' | 'limited'): string => over.exceeded.map((e) => `${e.key}=${e[k]}`).join(',');
        throw quotaExceeded(t, name, `exceeded quota: ${q.metadata.name}, requested: ${fmt('requested')}, used: ${fmt('used')}, limited: ${fmt('limited')}`);
      }
    }
  }

  /** A request hook for the router (`KubeContext.requestHooks`): applies armed faults. */
  requestHook(): (info: unknown, req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
    return (_info, req, res) => this.applyFault(req, res);
  }

  /**
   * An admission hook for the router (`KubeContext.admissionHooks`): NamespaceLifecycle (404 for a
   * missing namespace, 403 while it terminates) and quota for creates. Dry runs are admitted the same way.
   */
  admissionHook(store: ObjectStore): (a: { operation: string; type: ResourceType; namespace?: string; object?: KubeObject }) => void {
    return (a) => {
      if (a.operation !== 'CREATE' || !a.type.namespaced || a.object === undefined) return;
      const ns = a.namespace ?? a.object.metadata.namespace;
      if (ns === undefined) return;
      admitNamespacedCreate(store, ns);
      this.admitCreate(store, a.type, { ...a.object, metadata: { ...a.object.metadata, namespace: ns } });
    };
  }

  /** Arms a fault (see ApiFault). */
  injectFault(f: ApiFault): void {
    this.faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults.splice(0);
  }

  /** The first armed fault matching the request, with one use consumed; undefined when none. */
  faultFor(req: IncomingMessage): ApiFault | undefined {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' || url.pathname.includes('/watch/');
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
      if (f.pathPattern !== undefined && !f.pathPattern.test(url.pathname)) continue;
      if (f.watch !== undefined && f.watch !== isWatch) continue;
      f.remaining -= 1;
      return f;
    }
    return undefined;
  }

  /**
   * Applies the matching fault, if any: waits the latency, then either answers with the fault's
   * status (a Kubernetes Status body; 429 with Retry-After) and returns true — the router must
   * stop — or arms the connection cut and returns false so the request is served normally.
   */
  async applyFault(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const f = this.faultFor(req);
    if (!f) return false;
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const method = req.method ?? 'GET';
    if (f.latencyMs !== undefined && f.latencyMs > 0) await this.sleep(f.latencyMs);
    if (f.status !== undefined) {
      const err = faultError(f);
      this.firedFaults.push({ method, path, action: String(f.status) });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (f.status === 429) headers['retry-after'] = String(f.retryAfterSeconds ?? 1);
      res.writeHead(f.status, headers);
      res.end(JSON.stringify(err.toStatus()));
      return true;
    }
    if (f.dropAfterMs !== undefined) {
      // recorded when the connection is actually cut
      const timer = setTimeout(() => {
        this.firedFaults.push({ method, path, action: 'drop' });
        res.destroy();
      }, f.dropAfterMs);
      res.on('close', () => clearTimeout(timer));
    } else {
      this.firedFaults.push({ method, path, action: 'latency' });
    }
    return false;
  }
}

function faultError(f: ApiFault): ApiError {
  if (f.status === 429) {
    const s = f.retryAfterSeconds ?? 1;
    return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: s });
  }
  if (f.status === 503) return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
  return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
}

function quotaExceeded(t: ResourceType, name: string, text: string): ApiError {
  const qualified = t.group ? `${t.resource}.${t.group}` : t.resource;
  return new ApiError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${text}`, { name, group: t.group, kind: t.resource });
}

/** `count/deployments.apps`, or the legacy core names (`pods`, `services`, …). */
function countKey(t: ResourceType): string {
  return t.group ? `count/${t.resource}.${t.group}` : t.resource;
}

const CORE_COUNTED = new Set(['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);
const COMPUTE = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'] as const;

interface QuotaCheck {
  exceeded: Array<{ key: string; requested: string; used: string; limited: string }>;
  missing?: string;
}

function checkQuota(store: ObjectStore, t: ResourceType, o: KubeObject, ns: string, hard: Record<string, string | number>): QuotaCheck {
  const out: QuotaCheck = { exceeded: [] };
  const existing = (): KubeObject[] => store.list(t, ns).filter((x) => !isTerminalPod(t, x));
  const keys = new Set([`count/${t.group ? `${t.resource}.${t.group}` : t.resource}`]);
  if (!t.group && CORE_COUNTED.has(t.resource)) keys.add(t.resource);
  for (const key of keys) {
    if (hard[key] === undefined) continue;
    const limit = parseQuantity(hard[key]);
    const used = existing().length;
    if (used + 1 > limit) out.exceeded.push({ key, requested: '1', used: String(used), limited: String(hard[key]) });
  }
  if (!t.group && t.resource === 'pods') {
    for (const key of COMPUTE) {
      if (hard[key] === undefined) continue;
      const want = podCompute(o, key);
      if (want === undefined) {
        out.missing ??= key;
        continue;
      }
      const used = existing().reduce((sum, p) => sum + (podCompute(p, key) ?? 0), 0);
      const limit = parseQuantity(hard[key]);
      if (used + want > limit) {
        out.exceeded.push({ key, requested: formatQuantity(want, key), used: formatQuantity(used, key), limited: String(hard[key]) });
      }
    }
  }
  return out;
}

function isTerminalPod(t: ResourceType, o: KubeObject): boolean {
  if (t.group || t.resource !== 'pods') return false;
  const phase = (o.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

type Container = { resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } };

/** Sum over containers of a pod's request/limit for a quota key; undefined if a container lacks it. */
function podCompute(p: KubeObject, key: (typeof COMPUTE)[number]): number | undefined {
  const containers = ((p.spec as { containers?: Container[] } | undefined)?.containers ?? []);
  const [kind, res] = key.includes('.') ? (key.split('.') as ['requests' | 'limits', string]) : (['requests', key] as const);
  let sum = 0;
  for (const c of containers) {
    const v = c.resources?.[kind]?.[res] ?? (kind === 'requests' ? c.resources?.limits?.[res] : undefined);
    if (v === undefined) return undefined;
    sum += parseQuantity(v);
  }
  return sum;
}

/** `status.used` of a ResourceQuota with these hard limits, as the quota controller reports it. */
export function quotaUsage(store: ObjectStore, namespace: string, hard: Record<string, string | number>): Record<string, string> {
  const used: Record<string, string> = {};
  const podType = store.types.get('', 'v1', 'pods');
  const pods = podType ? store.list(podType, namespace).filter((p) => !isTerminalPod(podType, p)) : [];
  for (const key of Object.keys(hard)) {
    if ((COMPUTE as readonly string[]).includes(key)) {
      const sum = pods.reduce((n, p) => n + (podCompute(p, key as (typeof COMPUTE)[number]) ?? 0), 0);
      used[key] = formatQuantity(sum, key);
      continue;
    }
    const name = key.startsWith('count/') ? key.slice('count/'.length) : CORE_COUNTED.has(key) ? key : undefined;
    if (name === undefined) continue;
    const [resource, ...groupParts] = name.split('.');
    const group = groupParts.join('.');
    const t = store.types.all().find((x) => x.resource === resource && x.group === group);
    used[key] = String(t ? store.list(t, namespace).filter((o) => !isTerminalPod(t, o)).length : 0);
  }
  return used;
}

const SUFFIX: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** Kubernetes resource.Quantity text (`500m`, `128Mi`, `2`, `1e3`) as a number. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const scale = m[2] === '' ? 1 : SUFFIX[m[2]];
  return scale === undefined ? Number.NaN : Number(m[1]) * scale;
}

function formatQuantity(n: number, key: string): string {
  if (key.endsWith('cpu')) return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
  for (const [s, f] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= f && n % f === 0) return `${n / f}${s}`;
  }
  return String(n);
}
