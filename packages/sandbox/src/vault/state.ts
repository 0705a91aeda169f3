/**
 * Everything the Vault stand-in remembers: mounts (per namespace), policies, roles and tokens.
 */
import { randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { newKv2Mount, type Kv2Mount } from './kv2-store.js';
import type { PolicyRule } from './policy.js';

/** KV v1 keeps only the latest value per path. */
export interface Kv1Mount {
  version: 1;
  data: Map<string, Record<string, unknown>>;
}

export type Mount = Kv1Mount | Kv2Mount;

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  /** Login path that created it, e.g. "auth/jwt/login"; "auth/token/root" for the root token. */
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  issuedAt: number;
  /** Seconds; 0 = never expires (root). */
  ttl: number;
}

export interface AppRole {
  roleId: string;
  secretIds: Set<string>;
  policies: string[];
}

export interface JwtRole {
  policies: string[];
  boundAudiences: string[];
  boundClaims: Record<string, string | string[]>;
  userClaim: string;
}

/** Everything the Vault stand-in remembers. Policies, roles and tokens are global; KV data is per namespace. */
export interface VaultState {
  clock: () => number;
  sealed: boolean;
  /** Mount table applied to every namespace: path (no trailing slash) → KV version. */
  mountDefs: Map<string, 1 | 2>;
  namespaces: Map<string, Map<string, Mount>>;
  policies: Map<string, PolicyRule[]>;
  tokens: Map<string, TokenEntry>;
  appRoles: Map<string, AppRole>;
  jwtRoles: Map<string, JwtRole>;
  oidc?: { issuer: string; jwksUrl: string };
  /** JWKS fetched from oidc.jwksUrl, refreshed when a token names an unknown kid. */
  jwks?: JsonWebKey[];
}

/** Vault's system default lease TTL (768h), what login tokens get. */
export const DEFAULT_TTL_SECONDS = 768 * 3600;

/** Vault 1.10+ service tokens look like `hvs.<random>`. */
export const newTokenId = (): string => `hvs.${randomBytes(18).toString('base64url')}`;

/** Records a new token (issued now on the injected clock) and returns it. */
export function issueToken(state: VaultState, t: Omit<TokenEntry, 'id' | 'accessor' | 'issuedAt'>): TokenEntry {
  const entry: TokenEntry = {
    ...t,
    id: newTokenId(),
    accessor: randomBytes(12).toString('base64url'),
    issuedAt: state.clock(),
  };
  state.tokens.set(entry.id, entry);
  return entry;
}

/** Namespace key from the X-Vault-Namespace header ("" = root); trailing/leading slashes ignored like Vault. */
export function namespaceKey(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header;
  const ns = (raw ?? '').replace(/^\/+|\/+$/g, '');
  return ns === 'root' ? '' : ns;
}

/** The mounts of a namespace, created on first use with the global mount table (empty data). */
export function mountsOf(state: VaultState, ns: string): Map<string, Mount> {
  let mounts = state.namespaces.get(ns);
  if (mounts === undefined) {
    mounts = new Map();
    for (const [path, version] of state.mountDefs)
      mounts.set(path, version === 2 ? newKv2Mount() : { version: 1, data: new Map() });
    state.namespaces.set(ns, mounts);
  }
  return mounts;
}

/** Longest mount whose path prefixes `path` (mount paths may contain slashes). */
export function findMount(
  mounts: Map<string, Mount>,
  path: string,
): { mountPath: string; mount: Mount; rest: string } | undefined {
  let best: string | undefined;
  for (const m of mounts.keys()) {
    if ((path === m || path.startsWith(`${m}/`)) && (best === undefined || m.length > best.length)) best = m;
  }
  if (best === undefined) return undefined;
  return { mountPath: best, mount: mounts.get(best)!, rest: path.slice(best.length + 1) };
}

/** Every Vault response carries a fresh request_id. */
export const requestId = (): string => randomUUID();
