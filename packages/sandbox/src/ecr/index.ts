/**
 * ECR stand-in: Python moto's server behind a small loopback proxy that logs calls and can inject
 * latency and ECR's failures (throttling, server errors, connection resets; `injectFault`). Point `@aws-sdk/client-ecr` (or any AWS SDK v3 client) at it with `env`; the SDK reads
 * `AWS_ENDPOINT_URL_ECR` as the service-specific endpoint.
 *
 * What moto does NOT do: it is not a registry. Images pushed to the `registry` stand-in are not
 * visible in moto's DescribeImages, and GetAuthorizationToken's proxyEndpoint is a fake
 * `https://<account>.dkr.ecr.<region>.amazonaws.com` host. So build-push manages the repository
 * and login through the ECR API and pushes to the `registry` override host; to exercise the
 * "tag already exists → skip" path, `mirrorToMoto` copies a pushed manifest into moto with
 * PutImage (which moto supports) so DescribeImages finds it. moto computes imageDigest over its own
 * re-serialisation of the manifest, so that digest differs from the registry's Docker-Content-Digest:
 * take the reported digest from the push, and use moto only for "does this tag exist".
 *
 * @example
 * const ecr = await startMoto();
 * const client = new ECRClient({ region: ecr.region, endpoint: ecr.endpoint,
 *   credentials: { accessKeyId: ecr.accessKeyId, secretAccessKey: ecr.secretAccessKey } });
 * // … or spawn a child with { env: { ...process.env, ...ecr.env } }
 * expect((await ecr.requestLog()).map((c) => c.target)).toContain('CreateRepository');
 * await ecr.stop();
 */
import { startEcrProxy, type EcrFault } from './ecr-proxy.js';
import { startMotoProcess } from './moto-process.js';

export { mirrorToMoto, type MirrorOptions } from './mirror.js';
export type { EcrErrorCode, EcrFault } from './ecr-proxy.js';

export interface MotoStandIn {
  /** The proxy in front of moto, e.g. http://127.0.0.1:40123. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** AWS_ENDPOINT_URL_ECR, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for a child process. */
  env: Record<string, string>;
  /** Every ECR call so far, in order, by operation name (`CreateRepository`, …). */
  requestLog(): Promise<Array<{ target: string }>>;
  /** Delays every following call by `ms` (0 switches it off). */
  injectLatency(ms: number): void;
  /** Arms a fault for matching calls (see EcrFault): an ECR error, a connection reset, latency. */
  injectFault(f: EcrFault): void;
  clearFaults(): void;
  /** Stops the proxy and the moto process. */
  stop(): Promise<void>;
}

/** moto's default account id; repository ARNs and registryId use it. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** Starts moto_server on a free loopback port with dummy credentials and waits until it answers. */
export async function startMoto(options: { region?: string } = {}): Promise<MotoStandIn> {
  const region = options.region ?? 'us-east-1';
  const moto = await startMotoProcess();
  let proxy;
  try {
    proxy = await startEcrProxy(moto.url);
  } catch (err) {
    await moto.stop();
    throw err;
  }
  const accessKeyId = 'testing';
  const secretAccessKey = 'testing';
  const { server, calls, setLatency, injectFault, clearFaults } = proxy;
  return {
    endpoint: server.url,
    region,
    accessKeyId,
    secretAccessKey,
    env: {
      AWS_ENDPOINT_URL_ECR: server.url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    },
    requestLog: () => Promise.resolve(calls.map((c) => ({ ...c }))),
    injectLatency: setLatency,
    injectFault,
    clearFaults,
    stop: async () => {
      await server.close();
      await moto.stop();
    },
  };
}
