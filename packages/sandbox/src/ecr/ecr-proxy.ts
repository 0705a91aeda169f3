/**
 * A loopback proxy in front of moto that records every AWS JSON-protocol call by its
 * `X-Amz-Target` header (e.g. `AmazonEC2ContainerRegistry_V20150921.DescribeImages`) and can
 * delay each call — so benchmarks can state ECR call budgets and the reaper benchmark can model
 * a slow DeleteRepository. moto itself keeps no request log we could query.
 */
import { request } from 'node:http';
import { readBody, startLoopbackServer, type LoopbackServer } from '../http/server.js';

export interface EcrCall {
  /** The operation name after the dot of X-Amz-Target, e.g. `CreateRepository`. */
  target: string;
}

export interface EcrProxy {
  server: LoopbackServer;
  calls: EcrCall[];
  setLatency(ms: number): void;
}

/** Starts the proxy forwarding to `upstream` (moto's http://127.0.0.1:PORT). */
export async function startEcrProxy(upstream: string): Promise<EcrProxy> {
  const target = new URL(upstream);
  const calls: EcrCall[] = [];
  let latencyMs = 0;
  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const amzTarget = req.headers['x-amz-target'];
    if (typeof amzTarget === 'string') calls.push({ target: amzTarget.split('.').pop() ?? amzTarget });
    // Injected latency models a slow real service; only active when a benchmark sets it.
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
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
  };
}
