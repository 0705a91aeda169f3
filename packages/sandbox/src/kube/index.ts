/**
 * Kubernetes API stand-in: a loopback HTTP server that the real kubectl (1.31, 1.34) and helm
 * (3.17, 4.1) drive unmodified, backed by an in-memory ObjectStore.
 *
 * Served: discovery (/version, /api, /apis, resource lists; plain JSON even when the client asks
 * for aggregated discovery), /openapi/v3 (+ per-group documents) and /openapi/v2, CRUD on
 * namespaced and cluster-scoped kinds with status/scale subresources, list with label/field
 * selectors, watch (watch.ts), JSON/merge/strategic patches and server-side apply (managedFields
 * per manager, Apply and Update, with real conflicts), protobuf request bodies (Secret, ConfigMap,
 * Namespace, DeleteOptions by hand; every other built-in kind through the descriptors in the
 * real kubectl binary), Table output, fieldValidation (top level and metadata), dryRun=All and
 * Status errors with the real reasons. The control loops (controllers/) run unless
 * `controllers: false`. Every request is logged and counted by "verb resource".
 *
 * Not modelled: list pagination (`limit`/`continue` return everything at once), full schemas
 * (unknown fields below the top level pass), the legacy /api/v1/watch/… paths, authn/authz
 * (the kubeconfig's token is ignored), pod logs (an empty stream).
 *
 * @example
 * const kube = await startKube();
 * // run kubectl/helm with env { ...kube.env, HOME: freshDir } (kubectl caches discovery under HOME)
 * kube.counters()['create namespaces']; // 1
 * await kube.stop();
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackServer } from '../http/server.js';
import type { AdmissionHook, KubeContext, RequestHook, RequestLogEntry } from './server/context.js';
import { startControllers, type Controllers } from './controllers/index.js';
import { ApiError } from './server/errors.js';
import { route, serve } from './server/handler.js';
import { Scenarios } from './scenarios.js';
import { ObjectStore, type ResourceType } from './storage/store.js';

export type {
  AdmissionAttributes,
  AdmissionHook,
  RequestHook,
  RequestInfo,
  RequestLogEntry,
} from './server/context.js';
export { ApiError } from './server/errors.js';
export { ObjectStore } from './storage/store.js';
export type { KubeObject, ObjectMeta, ResourceType, StoreEvent, WatchEventType } from './storage/store.js';

export interface StartKubeOptions {
  /** How long the controllers take (container start, PVC bind, namespace emptied; default 1 s). */
  controllerDelayMs?: number;
  /** false: no control loops (a bare API server whose objects never progress). */
  controllers?: boolean;
  /** Time for creationTimestamp, ages and controllers; Date.now by default. */
  clock?: { now(): number };
  /** Scenario knobs (faults, quota, holds); a fresh set by default. */
  scenarios?: Scenarios;
}

export interface KubeStandIn {
  /** http://127.0.0.1:<port> */
  url: string;
  /** A kubeconfig (context "sandbox", namespace default, an ignored token) in a temp dir removed by stop(). */
  kubeconfigPath: string;
  env: { KUBECONFIG: string };
  store: ObjectStore;
  scenarios: Scenarios;
  /** The control loops (undefined when started with `controllers: false`): `idle()`, `errors`. */
  controllers?: Controllers;
  /** Every request served so far (watches are logged when they end). */
  requestLog(): RequestLogEntry[];
  /** Requests by "verb resource" ("list deployments", "patch secrets", "get namespaces/status") or "GET /path" for non-resource paths. */
  counters(): Record<string, number>;
  registerCustomResource(t: ResourceType): ResourceType;
  /** Runs before each request (faults, latency); return true when it answered. */
  addRequestHook(h: RequestHook): void;
  /** Runs before each create/update/delete; throw an ApiError to deny. */
  addAdmissionHook(h: AdmissionHook): void;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKube(options: StartKubeOptions = {}): Promise<KubeStandIn> {
  const clock = options.clock ?? { now: () => Date.now() };
  const store = new ObjectStore({ clock });
  const scenarios = options.scenarios ?? new Scenarios();
  const nsType = store.types.get('', 'v1', 'namespaces') as ResourceType;
  for (const name of SYSTEM_NAMESPACES)
    store.create(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

  const ctx: KubeContext = {
    store,
    clock,
    scenarios,
    requestHooks: [(_info, req, res) => scenarios.applyFault(req, res)],
    admissionHooks: [
      (a) => {
        if (a.operation === 'CREATE' && a.object) scenarios.admitCreate(store, a.type, a.object);
      },
    ],
    log: [],
    counters: new Map(),
    hostPort: '',
  };

  const server = await startLoopbackServer(async (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const info = route(ctx, method, url.pathname, url.searchParams, String(req.headers['user-agent'] ?? ''));
    const counterKey = info.type
      ? `${info.verb} ${info.type.resource}${info.subresource ? '/' + info.subresource : ''}`
      : `${method} ${url.pathname}`;
    ctx.counters.set(counterKey, (ctx.counters.get(counterKey) ?? 0) + 1);
    res.on('close', () => {
      ctx.log.push({
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        userAgent: info.userAgent,
        ...(req.headers['content-type'] ? { contentType: String(req.headers['content-type']) } : {}),
      });
    });
    try {
      for (const hook of ctx.requestHooks) if (await hook(info, req, res)) return;
      await serve(ctx, info, req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e =
        err instanceof ApiError
          ? err
          : new ApiError(
              500,
              'InternalError',
              `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
            );
      const body = JSON.stringify(e.toStatus());
      res.writeHead(e.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
  });
  ctx.hostPort = `127.0.0.1:${server.port}`;

  const controllers =
    options.controllers === false
      ? undefined
      : startControllers(store, { delayMs: options.controllerDelayMs, scenarios, clock });

  const dir = mkdtempSync(join(tmpdir(), 'kube-standin-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig(server.url), { mode: 0o600 });

  return {
    url: server.url,
    kubeconfigPath,
    env: { KUBECONFIG: kubeconfigPath },
    store,
    scenarios,
    controllers,
    requestLog: () => ctx.log.map((e) => ({ ...e })),
    counters: () => Object.fromEntries(ctx.counters),
    registerCustomResource: (t) => store.types.registerCustom(t),
    addRequestHook: (h) => void ctx.requestHooks.push(h),
    addAdmissionHook: (h) => void ctx.admissionHooks.push(h),
    stop: async () => {
      controllers?.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sandbox',
    '  cluster:',
    `    server: ${server}`,
    'contexts:',
    '- name: sandbox',
    '  context:',
    '    cluster: sandbox',
    '    user: sandbox',
    '    namespace: default',
    'current-context: sandbox',
    'users:',
    '- name: sandbox',
    '  user:',
    '    token: sandbox-token',
    'preferences: {}',
    '',
  ].join('\n');
}
