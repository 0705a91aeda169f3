/**
 * Logins and token resolution. Messages follow Vault 1.15: AppRole "invalid role or secret ID";
 * the JWT plugin's `role "x" could not be found`, "error validating token: ...", and
 * `error validating claims: claim "x" does not match any associated bound claim values`, all 400.
 */
import type { JsonWebKey } from 'node:crypto';
import { decodeJwt, verifyRs256 } from '../oidc/jwt.js';
import { badRequest, invalidToken, missingToken } from './errors.js';
import { DEFAULT_TTL_SECONDS, issueToken, type TokenEntry, type VaultState } from './state.js';

/** vault-plugin-auth-jwt defaults: 150 s leeway on exp, 60 s clock skew on nbf. */
const EXPIRATION_LEEWAY_S = 150;
const CLOCK_SKEW_LEEWAY_S = 60;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The token entry for X-Vault-Token, or Vault's 403 for a missing, unknown or expired one. */
export function resolveToken(state: VaultState, header: string | string[] | undefined): TokenEntry {
  const id = Array.isArray(header) ? header[0] : header;
  if (id === undefined || id === '') throw missingToken();
  const entry = state.tokens.get(id);
  if (entry === undefined) throw invalidToken();
  if (entry.ttl > 0 && state.clock() >= entry.issuedAt + entry.ttl * 1000) {
    state.tokens.delete(id);
    throw invalidToken();
  }
  return entry;
}

/** The `auth` block of a login response. */
function authBlock(t: TokenEntry): Record<string, unknown> {
  const tokenPolicies = t.policies;
  return {
    client_token: t.id,
    accessor: t.accessor,
    policies: tokenPolicies,
    token_policies: tokenPolicies,
    metadata: t.meta,
    lease_duration: t.ttl,
    renewable: true,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  };
}

/** POST auth/approle/login `{role_id, secret_id}`. */
export function appRoleLogin(state: VaultState, body: unknown): Record<string, unknown> {
  if (!isObject(body) || typeof body.role_id !== 'string' || body.role_id === '') throw badRequest('missing role_id');
  const found = [...state.appRoles.entries()].find(([, r]) => r.roleId === body.role_id);
  if (found === undefined || typeof body.secret_id !== 'string' || !found[1].secretIds.has(body.secret_id)) {
    throw badRequest('invalid role or secret ID');
  }
  const [name, role] = found;
  const t = issueToken(state, {
    policies: ['default', ...role.policies],
    path: 'auth/approle/login',
    displayName: 'approle',
    meta: { role_name: name },
    ttl: DEFAULT_TTL_SECONDS,
  });
  return authBlock(t);
}

async function jwks(state: VaultState, refresh: boolean): Promise<JsonWebKey[]> {
  if (state.oidc === undefined) throw badRequest('could not load configuration');
  if (state.jwks === undefined || refresh) {
    const res = await fetch(state.oidc.jwksUrl);
    if (!res.ok)
      throw badRequest(`error validating token: fetching keys from ${state.oidc.jwksUrl}: status ${res.status}`);
    state.jwks = ((await res.json()) as { keys: JsonWebKey[] }).keys;
  }
  return state.jwks;
}

function claimMatches(actual: unknown, expected: string | string[]): boolean {
  const want = Array.isArray(expected) ? expected : [expected];
  const got = Array.isArray(actual) ? actual : [actual];
  return got.some((g) => want.some((w) => String(g) === w));
}

/** POST auth/jwt/login `{role, jwt}`: RS256 against the configured JWKS, then iss, aud, exp/nbf, bound claims. */
export async function jwtLogin(state: VaultState, body: unknown): Promise<Record<string, unknown>> {
  if (!isObject(body) || typeof body.role !== 'string' || body.role === '') throw badRequest('missing role');
  const roleName = body.role.toLowerCase();
  const role = state.jwtRoles.get(roleName);
  if (role === undefined) throw badRequest(`role "${roleName}" could not be found`);
  if (typeof body.jwt !== 'string' || body.jwt === '') throw badRequest('missing token');
  let decoded;
  try {
    decoded = decodeJwt(body.jwt);
  } catch (err) {
    throw badRequest(`error validating token: ${(err as Error).message}`);
  }
  let keys = await jwks(state, false);
  if (decoded.header.kid !== undefined && !keys.some((k) => k.kid === decoded.header.kid))
    keys = await jwks(state, true);
  if (!verifyRs256(decoded, keys))
    throw badRequest('error validating token: failed to verify signature using JSON Web Key Set');
  const claims = decoded.payload;
  if (claims.iss !== state.oidc!.issuer) throw badRequest('error validating token: invalid issuer (iss) claim');
  const now = state.clock() / 1000;
  if (typeof claims.exp !== 'number' || now > claims.exp + EXPIRATION_LEEWAY_S) {
    throw badRequest('error validating token: invalid expiration time (exp) claim: token is expired');
  }
  if (typeof claims.nbf === 'number' && now + CLOCK_SKEW_LEEWAY_S < claims.nbf) {
    throw badRequest('error validating token: invalid not before (nbf) claim: token not yet valid');
  }
  if (role.boundAudiences.length === 0 && claims.aud !== undefined) {
    throw badRequest('error validating token: audience claim found in JWT but no audiences bound to the role');
  }
  if (role.boundAudiences.length > 0 && !claimMatches(claims.aud, role.boundAudiences)) {
    throw badRequest(
      'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
    );
  }
  for (const [claim, expected] of Object.entries(role.boundClaims)) {
    if (claims[claim] === undefined) throw badRequest(`error validating claims: claim "${claim}" is missing`);
    if (!claimMatches(claims[claim], expected)) {
      throw badRequest(`error validating claims: claim "${claim}" does not match any associated bound claim values`);
    }
  }
  const user = claims[role.userClaim];
  if (typeof user !== 'string' || user === '') throw badRequest(`claim "${role.userClaim}" not found in token`);
  const t = issueToken(state, {
    policies: ['default', ...role.policies],
    path: 'auth/jwt/login',
    displayName: `jwt-${user}`,
    meta: { role: roleName },
    ttl: DEFAULT_TTL_SECONDS,
  });
  return authBlock(t);
}

/** GET auth/token/lookup-self: Vault's token properties for the caller. */
export function lookupSelf(state: VaultState, t: TokenEntry): Record<string, unknown> {
  const issued = new Date(t.issuedAt).toISOString();
  const remaining = t.ttl === 0 ? 0 : Math.max(0, Math.floor((t.issuedAt + t.ttl * 1000 - state.clock()) / 1000));
  return {
    accessor: t.accessor,
    creation_time: Math.floor(t.issuedAt / 1000),
    creation_ttl: t.ttl,
    display_name: t.displayName,
    entity_id: '',
    expire_time: t.ttl === 0 ? null : new Date(t.issuedAt + t.ttl * 1000).toISOString(),
    explicit_max_ttl: 0,
    id: t.id,
    issue_time: issued,
    meta: t.meta,
    num_uses: 0,
    orphan: true,
    path: t.path,
    policies: t.policies,
    renewable: t.ttl !== 0,
    ttl: remaining,
    type: 'service',
  };
}
