/**
 * A loopback proxy in front of the registry stand-in (docker-registry) that answers armed faults
 * the way a registry or its load balancer fails, and forwards everything else unchanged (the Host
 * header too, so the registry's upload `Location`s point back at the proxy). Push and look up
 * through `host` to see a registry that throttles, errors, resets or stalls.
 */
import { request } from 'node:http';
import { readBody, startLoopbackServer } from '../http/server.js';

/** A fault armed by `injectFault`. */
export interface RegistryFault {
  /** Only this method (HEAD, GET, PUT, …); any when absent. */
  method?: string;
  /** Tested against the pathname, e.g. /\/manifests\//; any when absent. */
  pathPattern?: RegExp;
  /**
   * Answer this status with the distribution spec's error body (429 TOOMANYREQUESTS with
   * Retry-After, 500/503 UNAVAILABLE) instead of forwarding.
   */
  status?: 429 | 500 | 502 | 503;
  /** Seconds sent as Retry-After with a 429 (default 1). */
  retryAfter?: number;
  /** Reset the connection instead of answering (ECONNRESET); nothing reaches the registry. */
  reset?: boolean;
  /** Waited (real time) before failing or forwarding. */
  latencyMs?: number;
  /** How many matching requests it hits (default unlimited). */
  times?: number;
}

export interface RegistryProxy {
  /** 127.0.0.1:PORT, used as the registry host in image references. */
  host: string;
  /** Every request in order: method, path and the status answered (0 for a reset). */
  requestLog(): Array<{ method: string; path: string; status: number }>;
  injectFault(f: RegistryFault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** Starts the proxy forwarding to `upstreamHost` (the registry's 127.0.0.1:PORT). */
export async function startRegistryProxy(upstreamHost: string): Promise<RegistryProxy> {
  const [hostname, port] = upstreamHost.split(':') as [string, string];
  const faults: Array<RegistryFault & { remaining: number }> = [];
  const log: Array<{ method: string; path: string; status: number }> = [];
  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://registry').pathname;
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.pathPattern === undefined || f.pathPattern.test(path)),
    );
    if (fault) {
      fault.remaining--;
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        log.push({ method, path, status: 0 });
        req.socket.resetAndDestroy();
        return;
      }
      if (fault.status !== undefined) {
        const code = fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
        const message = fault.status === 429 ? 'too many requests' : 'service unavailable';
        const payload = method === 'HEAD' ? '' : JSON.stringify({ errors: [{ code, message, detail: null }] });
        log.push({ method, path, status: fault.status });
        res.writeHead(fault.status, {
          'content-type': 'application/json; charset=utf-8',
          'docker-distribution-api-version': 'registry/2.0',
          ...(fault.status === 429 ? { 'retry-after': String(fault.retryAfter ?? 1) } : {}),
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
        return;
      }
    }
    await new Promise<void>((done, fail) => {
      const upstream = request({ host: hostname, port, method, path: req.url, headers: req.headers }, (up) => {
        log.push({ method, path, status: up.statusCode ?? 502 });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.once('end', () => done());
        up.once('error', fail);
      });
      upstream.once('error', fail);
      upstream.end(body);
    });
  });
  return {
    host: `127.0.0.1:${server.port}`,
    requestLog: () => log.map((e) => ({ ...e })),
    injectFault: (f) => void faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void faults.splice(0),
    stop: () => server.close(),
  };
}
