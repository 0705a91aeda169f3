/**
 * A TCP tarpit: accepts every connection and never answers — no TLS handshake, no HTTP status, no
 * reset. The worst kind of outage (a black-holed load balancer, a firewall that drops instead of
 * refusing), and the one that makes clients without a timeout hang forever. Point any client's
 * address at it (`http://127.0.0.1:<port>`, `https://…` for kubeconfig) to test that it gives up.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';

export interface TarpitStandIn {
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>` (or `https://` for clients that speak TLS first). */
  url(scheme?: 'http' | 'https'): string;
  /** Connections accepted so far (including closed ones): proof the client really tried. */
  readonly accepted: number;
  /** Connections the client still holds open. */
  readonly open: number;
  stop(): Promise<void>;
}

/** Starts a tarpit on a loopback port (0 = any free one). */
export async function startTarpit(options: { port?: number } = {}): Promise<TarpitStandIn> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Read and discard whatever the client sends, so its writes never block; answer nothing.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tarpit: no TCP address');
  const host = '127.0.0.1';
  return {
    host,
    port: address.port,
    url: (scheme = 'http') => `${scheme}://${host}:${address.port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a kubeconfig whose cluster is `tarpit` (TCP connects, TLS never starts) into `dir`; returns its path. */
export function writeTarpitKubeconfig(tarpit: TarpitStandIn, dir: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: tarpit',
      `clusters: [{name: tarpit, cluster: {server: "${tarpit.url('https')}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: tarpit, context: {cluster: tarpit, user: u}}]',
      '',
    ].join('\n'),
  );
  return file;
}
