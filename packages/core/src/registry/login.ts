/**
 * Registry login from an ECR authorization token: the token decodes to `AWS:<password>`; both
 * the token and the password are masked before anything else happens, and the password reaches
 * the builder only on stdin (`--password-stdin`), never on a command line.
 */
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { runCommand } from '../exec.js';
import { ActionError, maskSecret, withinDeadline } from '../runtime/index.js';
import type { EcrSession } from './client.js';

export type Builder = 'docker' | 'podman';
export const BUILDERS = ['docker', 'podman'] as const satisfies readonly Builder[];

export interface RegistryLoginOptions {
  builder: Builder;
  /** host[:port] to log in to; default the token's proxyEndpoint host. */
  host?: string;
  /** Environment for the builder process (e.g. podman's config files). */
  env?: Record<string, string | undefined>;
  /** One login request's bound (input `request-timeout`; the process gets three of them; default 30 s). */
  requestTimeoutMs?: number;
}

export interface RegistryLogin {
  host: string;
  username: string;
  expiresAt?: Date;
}

/** Splits a base64 `user:password` token; throws without echoing it when malformed. */
export function decodeAuthorizationToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0 || i === decoded.length - 1)
    throw new ActionError('ECR returned an authorization token that is not base64 "user:password"');
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export interface EcrCredentials {
  username: string;
  /** Masked the moment it is decoded. */
  password: string;
  /** The token's registry host (proxyEndpoint). */
  host?: string;
  expiresAt?: Date;
}

/** GetAuthorizationToken, decoded; the token and the password are masked before anything else. */
export async function ecrCredentials(ecr: EcrSession): Promise<EcrCredentials> {
  const out = await ecr.call('GetAuthorizationToken', (c) => c.send(new GetAuthorizationTokenCommand({})));
  const data = out.authorizationData?.[0];
  const token = data?.authorizationToken;
  if (!token) throw new ActionError('ECR GetAuthorizationToken returned no token');
  maskSecret(token);
  const { username, password } = decodeAuthorizationToken(token);
  maskSecret(password);
  return {
    username,
    password,
    host: data.proxyEndpoint ? new URL(data.proxyEndpoint).host : undefined,
    expiresAt: data.expiresAt,
  };
}

/** Gets an ECR token and runs `<builder> login --username AWS --password-stdin <host>`. */
export async function registryLogin(
  ecr: EcrSession,
  o: RegistryLoginOptions,
  credentials?: EcrCredentials,
): Promise<RegistryLogin> {
  const { username, password, host: tokenHost, expiresAt } = credentials ?? (await ecrCredentials(ecr));
  const host = o.host ?? tokenHost;
  if (!host)
    throw new ActionError('ECR GetAuthorizationToken returned no proxyEndpoint and no registry host was given');
  await runCommand([o.builder, 'login', '--username', username, '--password-stdin', host], {
    input: password,
    env: o.env,
    waitingFor: `the registry ${host}`,
    timeoutMs: withinDeadline(3 * (o.requestTimeoutMs ?? 30_000)),
  });
  return { host, username, expiresAt };
}
