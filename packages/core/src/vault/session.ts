/**
 * Logging in to Vault and the one door every later call goes through (`session.call`): retried on
 * 429/5xx/sealed and network errors via core's `retry`, every error rewritten by
 * `sanitizeVaultError` so no request body, header or token survives into a message.
 */
import nodeVault from 'node-vault';
import { type Clock, systemClock } from '../clock.js';
import { retry, classifyTransient, type RetryOptions } from '../retry.js';
import { ActionError, formatDuration, maskSecret, requestIdToken, waitingOn } from '../runtime/index.js';
import { sanitizeVaultError, VaultRequestError } from './errors.js';

export type VaultAuthMethod = 'jwt' | 'approle' | 'token';

export interface LoginOptions {
  /** Vault address, e.g. https://vault.example.com:8200. */
  addr: string;
  /** Vault Enterprise / HCP namespace, sent as X-Vault-Namespace. */
  namespace?: string;
  method: VaultAuthMethod;
  /** JWT role (method jwt) — `auth/jwt/role/<role>`. */
  role?: string;
  /** Audience of the runner's OIDC token (method jwt); must be in the role's bound_audiences. */
  jwtAudience?: string;
  roleId?: string;
  secretId?: string;
  token?: string;
  clock?: Clock;
  /** How long one request may go unanswered (axios `timeout`, default 30 s; input `request-timeout`). */
  requestTimeoutMs?: number;
  /** Overrides for the retry schedule (attempts, baseMs, deadlineMs). */
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'deadlineMs' | 'random'>;
}

/** A logged-in client. Its token is masked; nothing here ever prints it. */
export interface VaultSession {
  readonly addr: string;
  readonly namespace?: string;
  readonly clock: Clock;
  /**
   * Runs one Vault request with retries; failures become VaultRequestError described by
   * `operation` (e.g. `read of secret/data/stage/app`). `hintFor` may add a fix per status.
   */
  call<T>(
    operation: string,
    fn: (client: nodeVault.client) => Promise<T>,
    hintFor?: (e: VaultRequestError) => string | undefined,
  ): Promise<T>;
}

/**
 * Vault answers 503 when sealed or in standby, 429 on rate limits: worth retrying, like other 5xx.
 * A request that timed out is retried only when it was a read (GET): a write may have landed.
 */
function vaultTransience(err: unknown) {
  if (err instanceof VaultRequestError && isVaultTimeout(err)) return { transient: err.method === 'GET' };
  return classifyTransient(err);
}

/** One Vault request may take this long unless the user says otherwise (`request-timeout`). */
export const DEFAULT_VAULT_REQUEST_TIMEOUT_MS = 30_000;

/** axios' own timeout (`timeout of 30000ms exceeded`, ECONNABORTED) or a socket timeout. */
export function isVaultTimeout(e: VaultRequestError): boolean {
  return e.status === undefined && (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT');
}

function makeSession(client: nodeVault.client, opts: LoginOptions): VaultSession {
  const clock = opts.clock ?? systemClock;
  const requestMs = opts.requestTimeoutMs ?? DEFAULT_VAULT_REQUEST_TIMEOUT_MS;
  return {
    addr: opts.addr,
    namespace: opts.namespace,
    clock,
    call(operation, fn, hintFor) {
      return waitingOn(`Vault at ${opts.addr.replace(/\/+$/, '')}`, operation, () => callOnce(operation, fn, hintFor));
    },
  };

  async function callOnce<T>(
    operation: string,
    fn: (client: nodeVault.client) => Promise<T>,
    hintFor?: (e: VaultRequestError) => string | undefined,
  ): Promise<T> {
    try {
      return await retry(
        async () => {
          try {
            return await fn(client);
          } catch (err) {
            throw sanitizeVaultError(err, operation);
          }
        },
        { attempts: 5, baseMs: 500, deadlineMs: 60_000, ...opts.retry, clock, classify: vaultTransience },
      );
    } catch (err) {
      const safe = sanitizeVaultError(err, operation);
      const hint = hintFor?.(safe) ?? defaultHint(safe, opts.addr.replace(/\/+$/, ''), requestMs);
      return Promise.reject(hint ? new VaultRequestError(operation, safe, hint) : safe);
    }
  }
}

function defaultHint(e: VaultRequestError, addr: string, requestMs: number): string | undefined {
  if (isVaultTimeout(e))
    return `Vault at ${addr} did not answer within ${formatDuration(requestMs)} (request-timeout), also when retried; check vault-addr and the runner's network, or raise request-timeout`;
  if (e.status === 503)
    return `Vault at ${addr} is sealed or unavailable (503); it was retried and still failed — unseal it or retry the job later`;
  if (e.status === undefined)
    return `Vault at ${addr} could not be reached (${e.code ?? 'network error'}); check vault-addr and the runner's network`;
  return undefined;
}

function loginHint(method: VaultAuthMethod, opts: LoginOptions) {
  return (e: VaultRequestError): string | undefined => {
    if (e.status !== 400 && e.status !== 403 && e.status !== 401) return undefined;
    if (method === 'jwt') {
      return `Vault rejected the runner's OIDC token for role "${opts.role}": check the role's bound_audiences contains "${opts.jwtAudience ?? 'vault'}" (input jwt-audience) and that its bound_claims (repository, ref, environment …) match this workflow run`;
    }
    if (method === 'approle')
      return 'Vault rejected the AppRole login: check role-id and secret-id (secret ids expire and may be single-use)';
    return 'Vault rejected the token: it may be expired or revoked';
  };
}

/**
 * Logs in and returns a session whose token is already masked. `jwt` uses the runner's OIDC token
 * (`requestIdToken`, which fails with a hint naming `permissions: id-token: write` when the job has
 * none); `approle` posts role_id/secret_id; `token` checks the token with lookup-self.
 * The client is built with `noCustomHTTPVerbs: true`, so lists go as `GET ?list=true`
 * (Node's HTTP stack and many proxies reject the LIST verb).
 */
export async function loginVault(opts: LoginOptions): Promise<VaultSession> {
  const client = nodeVault({
    endpoint: opts.addr.replace(/\/+$/, ''),
    namespace: opts.namespace,
    noCustomHTTPVerbs: true,
    requestOptions: { timeout: opts.requestTimeoutMs ?? DEFAULT_VAULT_REQUEST_TIMEOUT_MS },
  });
  const session = makeSession(client, opts);
  const pickToken = (res: unknown): string => {
    const token = (res as { auth?: { client_token?: unknown } } | undefined)?.auth?.client_token;
    if (typeof token !== 'string' || token === '')
      throw new ActionError('Vault login answered without auth.client_token');
    maskSecret(token);
    client.token = token;
    return token;
  };
  switch (opts.method) {
    case 'jwt': {
      if (!opts.role)
        throw new ActionError('auth-method jwt needs a role', {
          hint: 'Set the input "role" to the Vault JWT role bound to this repository',
        });
      const jwt = await requestIdToken(opts.jwtAudience ?? 'vault');
      pickToken(
        await session.call(
          `JWT login as role "${opts.role}"`,
          (c) => c.jwtLogin({ role: opts.role, jwt }),
          loginHint('jwt', opts),
        ),
      );
      break;
    }
    case 'approle': {
      if (!opts.roleId || !opts.secretId) throw new ActionError('auth-method approle needs role-id and secret-id');
      maskSecret(opts.secretId);
      pickToken(
        await session.call(
          'AppRole login',
          (c) => c.approleLogin({ role_id: opts.roleId, secret_id: opts.secretId }),
          loginHint('approle', opts),
        ),
      );
      break;
    }
    case 'token': {
      if (!opts.token) throw new ActionError('auth-method token needs a token');
      maskSecret(opts.token);
      client.token = opts.token;
      await session.call('token lookup-self', (c) => c.tokenLookupSelf(), loginHint('token', opts));
      break;
    }
    default:
      throw new ActionError(`Unknown Vault auth method "${String(opts.method)}"`);
  }
  return session;
}
