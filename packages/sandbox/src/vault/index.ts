/**
 * Vault stand-in: a loopback HTTP server speaking Vault 1.15's API for what preview-fleet uses,
 * stateful like `vault server -dev` (KV v2 at `secret/`, a root token that works everywhere).
 *
 * Served (all under /v1, Vault's envelope, errors as `{"errors":[...]}`):
 * - KV v2 `<mount>/data/<p>` GET (`?version=`), POST/PUT (`options.cas`; 0 = only if absent), PATCH,
 *   DELETE (soft); `<mount>/metadata/<p>` GET, POST (`custom_metadata`, `max_versions`,
 *   `cas_required`), DELETE (all versions); list by `GET <mount>/metadata/<p>?list=true` (or `=1`,
 *   as node-vault sends with `noCustomHTTPVerbs`) or LIST; `<mount>/{delete,undelete,destroy}/<p>`.
 * - KV v1 mounts: GET, POST/PUT, DELETE, list.
 * - `auth/approle/login`, `auth/jwt/login` (RS256 against the OIDC stand-in's JWKS, iss, aud, exp
 *   with Vault's 150 s leeway, bound claims), `auth/token/lookup-self`, `sys/seal-status`,
 *   `sys/health`, `sys/internal/ui/mounts/<p>` (how clients discover the KV version).
 * - ACL by path with Vault's most-specific-rule matching: 403 "permission denied". A missing path is
 *   404 `{"errors":[]}`; a deleted KV v2 version is 404 carrying its metadata; sealed is 503.
 * - `X-Vault-Namespace`: each namespace has its own KV data (same mount table); policies, roles and
 *   tokens are shared.
 *
 * Every exchange is checked against ../shared/contracts/vault-openapi.json (see contract.ts);
 * mismatches land in `contractViolations`. `contractSkipReason` says why when the file is absent.
 *
 * @example
 * const oidc = await startOidc({ claims: { repository: 'acme/web' } });
 * const vault = await startVault({ oidc });
 * vault.writePolicy('preview', previewPolicy()); // read stage/*, write preview/*, 403 elsewhere
 * vault.addJwtRole('preview', { policies: ['preview'], boundAudiences: ['vault'], boundClaims: { repository: 'acme/web' } });
 * const { roleId, secretId } = vault.addAppRole('ci', { policies: ['preview'] });
 * const token = vault.createToken(['preview']);     // for auth-method: token
 * // VAULT_ADDR=vault.url VAULT_TOKEN=vault.rootToken
 * expect(vault.contractViolations).toEqual([]);
 * await vault.stop();
 */
import { randomUUID } from 'node:crypto';
import { startLoopbackServer } from '../http/server.js';
import { loadVaultContract } from './contract.js';
import { createVaultHandler, type Fault, type Recorder } from './handler.js';
import { validateRules, type PolicyRule } from './policy.js';
import { newKv2Mount } from './kv2-store.js';
import { DEFAULT_TTL_SECONDS, issueToken, mountsOf, type VaultState } from './state.js';

export {
  createContractChecker,
  loadVaultContract,
  vaultContractPath,
  type ContractChecker,
  type Exchange,
  type OperationRef,
} from './contract.js';
export type { Fault } from './handler.js';
export { previewPolicy, type PolicyRule } from './policy.js';

export interface VaultStandInOptions {
  /** Where JWT logins are verified: the OIDC stand-in's issuer and JWKS URL. */
  oidc?: { issuer: string; jwksUrl: string };
  /** Milliseconds since the epoch; drives KV times, token TTLs and JWT exp checks. */
  clock?: () => number;
  /** Contract file to check against (default: the shared one); mainly for tests of the checker. */
  contractFile?: string;
  /** How injected latency waits; default real timers (benchmarks want real time), tests may record instead. */
  sleep?: (ms: number) => Promise<void>;
}

export interface VaultStandIn {
  /** e.g. http://127.0.0.1:41234 (VAULT_ADDR). */
  url: string;
  /** Root token (VAULT_TOKEN), policy "root": everything, everywhere. */
  rootToken: string;
  /** Mounts a KV engine at `path` (no trailing slash needed) in every namespace. */
  mountKv(path: string, version: 1 | 2): void;
  /** Creates or replaces an ACL policy. */
  writePolicy(name: string, rules: PolicyRule[]): void;
  /** Creates a role (or adds a secret id to an existing one); returns its role_id and a fresh secret_id. */
  addAppRole(role: string, opts: { policies: string[] }): { roleId: string; secretId: string };
  /** JWT auth role at auth/jwt; `boundClaims` values may be a list (any of). `userClaim` defaults to "sub". */
  addJwtRole(
    role: string,
    opts: {
      policies: string[];
      boundAudiences: string[];
      boundClaims?: Record<string, string | string[]>;
      userClaim?: string;
    },
  ): void;
  /** A token with these policies (plus "default"), as `vault token create -policy=...` would give; for `auth-method: token` tests. */
  createToken(policies: string[], opts?: { ttlSeconds?: number }): string;
  /** Sealed: every path but sys/seal-status and sys/health answers 503 "Vault is sealed". */
  seal(): void;
  unseal(): void;
  /**
   * Arms a fault for requests whose pathname (e.g. /v1/secret/data/...) matches `pathPattern` (and
   * `method`, when given): wait `latencyMs`, then answer `status` with Vault's error envelope (429
   * adds Retry-After). `times` defaults to unlimited; without `status` it only adds latency.
   * `dropReply` serves the request (the write lands) and then resets the connection instead of answering.
   * Faults apply after the seal check and before authentication, like a proxy in front of Vault.
   */
  injectFault(f: Fault): void;
  clearFaults(): void;
  requestLog: Array<{ method: string; path: string; status: number; namespace: string }>;
  /** Requests per operation id (the contract's, e.g. "kv-v2-write", "jwt-login"; "<METHOD> <status>" when unrouted). */
  counters(): Record<string, number>;
  /** Contract mismatches seen so far ("METHOD template: what"); a test asserts it is empty. */
  contractViolations: string[];
  /** Why no contract check runs (the file is absent), or undefined when it runs. */
  contractSkipReason?: string;
  /** KV contents for assertions: v2 → `{ data, metadata }` of the current version (data null if deleted), v1 → the value; undefined when absent. */
  readRaw(mount: string, path: string, namespace?: string): any;
  stop(): Promise<void>;
}

/** Starts the Vault stand-in on a loopback port. */
export async function startVault(opts: VaultStandInOptions = {}): Promise<VaultStandIn> {
  const state: VaultState = {
    clock: opts.clock ?? Date.now,
    sealed: false,
    mountDefs: new Map([['secret', 2]]),
    namespaces: new Map(),
    policies: new Map(),
    tokens: new Map(),
    appRoles: new Map(),
    jwtRoles: new Map(),
    oidc: opts.oidc === undefined ? undefined : { issuer: opts.oidc.issuer, jwksUrl: opts.oidc.jwksUrl },
  };
  const root = issueToken(state, {
    policies: ['root'],
    path: 'auth/token/root',
    displayName: 'root',
    meta: null,
    ttl: 0,
  });
  const contract = loadVaultContract(opts.contractFile);
  const rec: Recorder = {
    requestLog: [],
    counts: new Map(),
    contractViolations: [],
    checker: contract.checker,
    faults: [],
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
  const server = await startLoopbackServer(createVaultHandler(state, rec));
  const trim = (p: string): string => p.replace(/^\/+|\/+$/g, '');

  return {
    url: server.url,
    rootToken: root.id,
    mountKv(path, version) {
      const p = trim(path);
      state.mountDefs.set(p, version);
      for (const mounts of state.namespaces.values())
        mounts.set(p, version === 2 ? newKv2Mount() : { version: 1, data: new Map() });
    },
    writePolicy(name, rules) {
      if (name === 'root') throw new Error('cannot update the root policy');
      validateRules(name, rules);
      state.policies.set(
        name,
        rules.map((r) => ({ path: r.path, capabilities: [...r.capabilities] })),
      );
    },
    addAppRole(role, { policies }) {
      const existing = state.appRoles.get(role);
      const entry = existing ?? { roleId: randomUUID(), secretIds: new Set<string>(), policies };
      entry.policies = policies;
      const secretId = randomUUID();
      entry.secretIds.add(secretId);
      state.appRoles.set(role, entry);
      return { roleId: entry.roleId, secretId };
    },
    addJwtRole(role, o) {
      state.jwtRoles.set(role.toLowerCase(), {
        policies: o.policies,
        boundAudiences: o.boundAudiences,
        boundClaims: o.boundClaims ?? {},
        userClaim: o.userClaim ?? 'sub',
      });
    },
    createToken(policies, o = {}) {
      return issueToken(state, {
        policies: ['default', ...policies],
        path: 'auth/token/create',
        displayName: 'token',
        meta: null,
        ttl: o.ttlSeconds ?? DEFAULT_TTL_SECONDS,
      }).id;
    },
    seal: () => void (state.sealed = true),
    unseal: () => void (state.sealed = false),
    injectFault(f) {
      rec.faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => void rec.faults.splice(0),
    requestLog: rec.requestLog,
    counters: () => Object.fromEntries(rec.counts),
    contractViolations: rec.contractViolations,
    contractSkipReason: contract.reason,
    readRaw(mount, path, namespace = '') {
      const m = mountsOf(state, trim(namespace)).get(trim(mount));
      if (m === undefined) return undefined;
      if (m.version === 1) return structuredClone(m.data.get(trim(path)));
      const s = m.secrets.get(trim(path));
      if (s === undefined) return undefined;
      const v = s.versions.get(s.current_version);
      return {
        data: v === undefined || v.deletion_time !== '' || v.destroyed ? null : structuredClone(v.data),
        metadata: { current_version: s.current_version, custom_metadata: s.custom_metadata, versions: s.versions.size },
      };
    },
    stop: () => server.close(),
  };
}
