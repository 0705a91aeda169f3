/**
 * The sandbox's ingress controller and DNS in one: an HTTP proxy on loopback. A client that
 * honours HTTPS_PROXY (Node 24 with NODE_USE_ENV_PROXY=1, curl, Go) asks it to CONNECT to
 * `https://<host>`; the proxy answers from the Kubernetes stand-in's state the way a wildcard
 * DNS record plus ingress-nginx would:
 * - host outside the preview domain → 502 at CONNECT (the name does not resolve);
 * - no Ingress for the host → 404 from the default backend;
 * - an Ingress whose backend Service has no Ready pod → 503 (ingress-nginx's "Service
 *   Temporarily Unavailable" while a rollout is in progress);
 * - the Ingress's access annotations (source range, basic auth, external auth: `access.ts`) refuse
 *   with 403 / 401 / a redirect before any backend is consulted;
 * - a backend Service of type ExternalName pointing at the KEDA HTTP add-on's interceptor proxy
 *   (with `keda`: ../keda) is answered by the interceptor, which wakes a sleeping app first;
 * - otherwise 200 with a small page naming the namespace and service.
 * TLS is real: a wildcard certificate for the domain signed by a throwaway CA that clients
 * trust through NODE_EXTRA_CA_CERTS.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackServer } from '../http/server.js';
import type { KubeObject, ObjectStore } from '../kube/storage/store.js';
import { makeCerts } from './certs.js';
import { checkAccess, type Denial } from './access.js';
import type { KedaHttpAddOn } from '../keda/index.js';

export interface IngressHit {
  host: string;
  path: string;
  status: number;
}

export interface IngressStandIn {
  /** http://127.0.0.1:PORT */
  proxyUrl: string;
  domain: string;
  caFile: string;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (loopback stays direct), NODE_USE_ENV_PROXY, NODE_EXTRA_CA_CERTS, PREVIEW_DOMAIN. */
  env: Record<string, string>;
  /** Every request answered, in order (CONNECT refusals included with status 502). */
  hits(): IngressHit[];
  stop(): Promise<void>;
}

type Answer = {
  status: number;
  body: string;
  headers?: Record<string, string>;
  ingress?: KubeObject;
  /** The backend is the KEDA interceptor (an ExternalName Service): it answers. */
  intercepted?: boolean;
};

function podReady(p: KubeObject): boolean {
  const conditions =
    (p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** What the ingress controller answers for `host` (lower-case, no port). */
export function answerFor(store: ObjectStore, host: string, keda?: KedaHttpAddOn): Answer {
  const ingressType = store.types.byKind('Ingress');
  const serviceType = store.types.byKind('Service');
  const podType = store.types.byKind('Pod');
  if (!ingressType || !serviceType || !podType)
    return { status: 500, body: 'kube stand-in lacks Ingress, Service or Pod' };
  for (const ing of store.list(ingressType)) {
    const rules =
      (
        ing.spec as
          | {
              rules?: Array<{ host?: string; http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>;
            }
          | undefined
      )?.rules ?? [];
    const rule = rules.find((r) => r.host?.toLowerCase() === host);
    if (!rule) continue;
    return { ...backendAnswer(store, rule, ing.metadata.namespace!, host, keda), ingress: ing };
  }
  return { status: 404, body: 'default backend - 404' };
}

/** What the rule's backend answers: 503 without a Service or a Ready pod behind it, else 200. */
function backendAnswer(
  store: ObjectStore,
  rule: { http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } },
  ns: string,
  host: string,
  keda?: KedaHttpAddOn,
): Answer {
  const serviceType = store.types.byKind('Service')!;
  const serviceName = rule.http?.paths?.[0]?.backend?.service?.name;
  const svc = serviceName ? store.get(serviceType, ns, serviceName) : undefined;
  if (!svc) return { status: 503, body: '503 Service Temporarily Unavailable (no backend service)' };
  const spec = svc.spec as { type?: string; externalName?: string } | undefined;
  if (spec?.type === 'ExternalName') {
    return keda?.isInterceptor(spec.externalName ?? '')
      ? { status: 0, body: '', intercepted: true }
      : { status: 502, body: `502 Bad Gateway (ExternalName ${spec.externalName ?? ''} is not served here)` };
  }
  return serviceAnswer(store, svc, ns, host);
}

/** A Service's answer: 503 without a Ready pod behind it, else 200 with a page naming it. */
function serviceAnswer(store: ObjectStore, svc: KubeObject, ns: string, host: string): Answer {
  const podType = store.types.byKind('Pod')!;
  const selector = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
  const ready = store
    .list(podType, ns)
    .filter((p) => !p.metadata.deletionTimestamp && matches(selector, p.metadata.labels) && podReady(p));
  if (ready.length === 0) return { status: 503, body: '503 Service Temporarily Unavailable' };
  return {
    status: 200,
    body: `<!doctype html><title>${host}</title><p>preview-fleet sandbox: ${ns}/${svc.metadata.name} (${ready.length} ready)</p>\n`,
  };
}

export async function startIngress(options: {
  store: ObjectStore;
  domain?: string;
  /** The KEDA HTTP add-on model: Ingresses routed to its interceptor are answered by it. */
  keda?: KedaHttpAddOn;
}): Promise<IngressStandIn> {
  const domain = (options.domain ?? 'preview.sandbox.test').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'pf-ingress-'));
  const certs = makeCerts(dir, domain);
  const hits: IngressHit[] = [];
  const inDomain = (host: string) => host === domain || host.endsWith(`.${domain}`);

  const serve = async (req: IncomingMessage, res: ServerResponse, hostHeader: string) => {
    const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
    let a: Answer | Denial = inDomain(host)
      ? answerFor(options.store, host, options.keda)
      : { status: 502, body: `cannot resolve ${host}` };
    if ('ingress' in a && a.ingress) a = (await checkAccess(options.store, a.ingress, req, host)) ?? a;
    if ('intercepted' in a && a.intercepted && options.keda) {
      // ingress-nginx passes the request (Host header kept) to the interceptor, which routes by host.
      a = await options.keda.intercept(host, (req.url ?? '/').replace(/^https?:\/\/[^/]+/, ''), (ns, name) => {
        const svc = options.store.get(options.store.types.byKind('Service')!, ns, name);
        return svc ? serviceAnswer(options.store, svc, ns, host) : { status: 502, body: `no Service ${ns}/${name}` };
      });
    }
    hits.push({ host, path: req.url ?? '/', status: a.status });
    res.writeHead(a.status, {
      'content-type': a.status === 200 ? 'text/html' : 'text/plain',
      'content-length': Buffer.byteLength(a.body),
      ...a.headers,
    });
    res.end(a.body);
  };
  const tlsServer = createHttpsServer(
    { key: certs.key, cert: certs.cert },
    (req, res) => void serve(req, res, req.headers.host ?? ''),
  );
  const tunnels = new Set<Socket>();

  const proxy = await startLoopbackServer((req, res) => {
    // Plain-http requests through the proxy carry an absolute URL.
    const url = new URL(req.url ?? '/', 'http://invalid');
    void serve(req, res, url.host || (req.headers.host ?? ''));
  });
  proxy.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const host = (req.url ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!inDomain(host)) {
      hits.push({ host, path: '', status: 502 });
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    tlsServer.emit('connection', socket);
  });

  return {
    proxyUrl: proxy.url,
    domain,
    caFile: certs.caFile,
    env: {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1,localhost,::1',
      NODE_USE_ENV_PROXY: '1',
      NODE_EXTRA_CA_CERTS: certs.caFile,
      PREVIEW_DOMAIN: domain,
    },
    hits: () => hits.map((h) => ({ ...h })),
    stop: async () => {
      for (const s of tunnels) s.destroy();
      tlsServer.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
