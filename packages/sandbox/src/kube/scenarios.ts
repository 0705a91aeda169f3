/**
 * The Kubernetes stand-in's knobs: per-object scenarios (slow, image-pull-backoff, crash-loop,
 * job-fails), API faults, and quota helpers tests read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './server/errors.js';
import { admitNamespacedCreate } from './controllers/namespaces.js';
import { checkQuota, countKey, quotaExceeded } from './admission/quota.js';
import type { KubeObject, ObjectStore, ResourceType } from './storage/store.js';

export { parseQuantity, quotaUsage } from './admission/quota.js';

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
  /** Reset the connection (after `latencyMs`) without serving: ECONNRESET and no status, nothing changed. */
  reset?: boolean;
  /** How many requests it hits; unlimited when absent. */
  times?: number;
  /**
   * Hold each matching request until this many are waiting, then serve them all: two clients
   * racing (both read the same resourceVersion) happen every time, not by luck.
   */
  barrier?: number;
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
  private readonly faults: Array<ApiFault & { remaining: number; waiting?: Array<() => void> }> = [];
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
      throw quotaExceeded(
        t,
        name,
        `exceeded quota: ${knob.quotaName}, requested: ${key}=1, used: ${key}=0, limited: ${key}=0`,
      );
    }
    const quotaType = store.types.get('', 'v1', 'resourcequotas');
    if (!quotaType) return;
    for (const q of store.list(quotaType, ns)) {
      const hard = (q.spec as { hard?: Record<string, string | number> } | undefined)?.hard ?? {};
      const over = checkQuota(store, t, o, ns, hard);
      if (over.missing) throw quotaExceeded(t, name, `failed quota: ${q.metadata.name}: must specify ${over.missing}`);
      if (over.exceeded.length > 0) {
        const fmt = (k: 'requested' | 'used' | 'limited'): string =>
          over.exceeded.map((e) => `${e.key}=${e[k]}`).join(',');
        throw quotaExceeded(
          t,
          name,
          `exceeded quota: ${q.metadata.name}, requested: ${fmt('requested')}, used: ${fmt('used')}, limited: ${fmt('limited')}`,
        );
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
  admissionHook(
    store: ObjectStore,
  ): (a: { operation: string; type: ResourceType; namespace?: string; object?: KubeObject }) => void {
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
  faultFor(req: IncomingMessage): (ApiFault & { waiting?: Array<() => void> }) | undefined {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const isWatch =
      url.searchParams.get('watch') === 'true' ||
      url.searchParams.get('watch') === '1' ||
      url.pathname.includes('/watch/');
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
   * Applies the matching fault, if any: waits the latency, then either resets the connection or
   * answers with the fault's status (a Kubernetes Status body; 429 with Retry-After) and returns
   * true — the router must stop — or arms the connection cut and returns false so the request is
   * served normally.
   */
  async applyFault(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const f = this.faultFor(req);
    if (!f) return false;
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const method = req.method ?? 'GET';
    if (f.latencyMs !== undefined && f.latencyMs > 0) await this.sleep(f.latencyMs);
    if (f.barrier !== undefined && f.barrier > 1) {
      const waiting = (f.waiting ??= []);
      const released = new Promise<void>((resolve) => waiting.push(resolve));
      if (waiting.length >= f.barrier) waiting.splice(0).forEach((release) => release());
      await released;
      this.firedFaults.push({ method, path, action: 'barrier' });
      return false;
    }
    if (f.reset) {
      this.firedFaults.push({ method, path, action: 'reset' });
      req.socket.resetAndDestroy();
      return true;
    }
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
  if (f.status === 503)
    return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
  return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
}
