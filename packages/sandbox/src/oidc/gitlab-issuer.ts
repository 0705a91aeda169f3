/**
 * GitLab's ID token issuer: the instance itself. `iss` is the GitLab URL, the keys are served at
 * `<gitlab>/oauth/discovery/keys` and discovery at `<gitlab>/.well-known/openid-configuration`
 * (what Vault's `oidc_discovery_url` / `jwks_url` point at). The GitLab stand-in mounts these paths;
 * this module holds the key and signs.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { completeGitLabClaims, type GitLabClaims } from './gitlab-claims.js';
import { signRs256 } from './jwt.js';

export type { GitLabClaims } from './gitlab-claims.js';

/** GitLab's default job timeout (1 h): an ID token lives as long as its job may (observed exp − iat = 3600). */
const TTL_SECONDS = 3600;
/** GitLab backdates nbf by a few seconds (observed iat − nbf = 5). */
const NBF_SKEW_SECONDS = 5;

export interface GitLabIdTokenIssuer {
  /** The instance URL, the `iss` of every token. */
  readonly issuer: string;
  /** `<issuer>/oauth/discovery/keys`. */
  readonly jwksUrl: string;
  /** The JWKS document. */
  jwks(): { keys: JsonWebKey[] };
  /** The discovery document GitLab serves. */
  discovery(): Record<string, unknown>;
  /** Signs an ID token for `aud` (as `id_tokens: NAME: aud:` asks) with these claims (the rest derived). */
  issue(aud: string | string[], claims?: Partial<GitLabClaims>, opts?: { ttlSeconds?: number }): string;
  /** Answers the discovery and keys paths; undefined for any other path. */
  serve(method: string, pathname: string): unknown;
}

/** A fresh RSA-2048 key for the GitLab instance at `issuer`. */
export function createGitLabIdTokenIssuer(issuer: string, clock: () => number = Date.now): GitLabIdTokenIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(20).toString('base64url');
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const host = new URL(issuer).host;
  const discovery = (): Record<string, unknown> => ({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    jwks_uri: `${issuer}/oauth/discovery/keys`,
    scopes_supported: ['api', 'read_api', 'read_user', 'openid', 'profile', 'email'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'sub_legacy', 'name', 'nickname', 'email', 'groups'],
  });
  return {
    issuer,
    jwksUrl: `${issuer}/oauth/discovery/keys`,
    jwks: () => ({ keys: [jwk] }),
    discovery,
    issue(aud, claims = {}, opts = {}) {
      const iat = Math.floor(clock() / 1000);
      return signRs256(
        {
          ...completeGitLabClaims(claims, host),
          jti: randomUUID(),
          iss: issuer,
          iat,
          nbf: iat - NBF_SKEW_SECONDS,
          exp: iat + (opts.ttlSeconds ?? TTL_SECONDS),
          aud,
        },
        privateKey,
        kid,
      );
    },
    serve(method, pathname) {
      if (method !== 'GET') return undefined;
      if (pathname === '/oauth/discovery/keys') return { keys: [jwk] };
      if (pathname === '/.well-known/openid-configuration') return discovery();
      return undefined;
    },
  };
}
