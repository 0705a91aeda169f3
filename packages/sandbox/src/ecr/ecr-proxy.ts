/**
 * A loopback proxy in front of moto that records every AWS JSON-protocol call by its
 * `X-Amz-Target` header (e.g. `AmazonEC2ContainerRegistry_V20150921.DescribeImages`), can
 * delay each call — so benchmarks can state ECR call budgets and the reaper benchmark can model
 * a slow DeleteRepository — and answers armed faults the way ECR fails (moto injects none itself).
 */
import { request } from 'node:http';
import { readBody, startLoopbackServer, type LoopbackServer } from '../http/server.js';

export interface EcrCall {
  /** The operation name after the dot of X-Amz-Target, e.g. `CreateRepository`. */
  target: string;
}

/**
 * ECR's own failures, as the AWS JSON protocol sends them (`x-amzn-ErrorType` and
 * `{"__type","message"}`): `ThrottlingException` is HTTP 400 ("Rate exceeded", what API Gateway
 * style throttling of ECR answers), `ServerException` 500 (ECR's documented server error),
 * `ServiceUnavailable` 503.
 */
export type EcrErrorCode = 'ThrottlingException' | 'ServerException' | 'ServiceUnavailable';

/** A fault armed by `injectFault`. */
export interface EcrFault {
  /** Only this operation (`DescribeRepositories`, `DeleteRepository`, …); any when absent. */
  target?: string;
  /** Answer this error instead of forwarding to moto. */
  error?: EcrErrorCode;
  /** Reset the connection instead of answering (ECONNRESET); the call never reaches moto. */
  reset?: boolean;
  /** Waited (real time) before failing or forwarding. */
  latencyMs?: number;
  /** How many matching calls it hits (default unlimited). */
  times?: number;
}

export interface EcrProxy {
  server: LoopbackServer;
  calls: EcrCall[];
  setLatency(ms: number): void;
  injectFault(f: EcrFault): void;
  clearFaults(): void;
}

const errorStatus: Record<EcrErrorCode, number> = {
  ThrottlingException: 400,
  ServerException: 500,
  ServiceUnavailable: 503,
};
const errorMessage: Record<EcrErrorCode, string> = {
  ThrottlingException: 'Rate exceeded',
  ServerException: 'An internal error occurred on the server (injected)',
  ServiceUnavailable: 'Service Unavailable',
};

/** Starts the proxy forwarding to `upstream` (moto's http://127.0.0.1:PORT). */
export async function startEcrProxy(upstream: string): Promise<EcrProxy> {
  const target = new URL(upstream);
  const calls: EcrCall[] = [];
  const faults: Array<EcrFault & { remaining: number }> = [];
  let latencyMs = 0;
  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const amzTarget = req.headers['x-amz-target'];
    const operation = typeof amzTarget === 'string' ? (amzTarget.split('.').pop() ?? amzTarget) : '';
    if (operation !== '') calls.push({ target: operation });
    // Injected latency models a slow real service; only active when a benchmark sets it.
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const fault = faults.find((f) => f.remaining > 0 && (f.target === undefined || f.target === operation));
    if (fault) {
      fault.remaining--;
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        req.socket.resetAndDestroy();
        return;
      }
      if (fault.error) {
        const payload = JSON.stringify({ __type: fault.error, message: errorMessage[fault.error] });
        res.writeHead(errorStatus[fault.error], {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': fault.error,
          'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
        return;
      }
    }
    await new Promise<void>((done, fail) => {
      const upstreamReq = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.once('end', () => done());
          upstreamRes.once('error', fail);
        },
      );
      upstreamReq.once('error', fail);
      upstreamReq.end(body);
    });
  });
  return {
    server,
    calls,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    injectFault: (f) => void faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void faults.splice(0),
  };
}
