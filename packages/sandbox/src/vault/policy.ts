/**
 * ACL policies by path, the subset of Vault's HCL rules we need: a rule's path is exact, may end in
 * `*` (prefix glob) and may contain `+` (one segment). When several rules match, Vault applies only
 * the most specific one (policies docs, "Priority matching"), with capabilities of identical paths
 * merged across a token's policies, and `deny` beating everything.
 */
export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';

export interface PolicyRule {
  /** e.g. "secret/data/preview/*" (relative to the namespace). */
  path: string;
  capabilities: string[];
}

const known = new Set<Capability>(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny']);

/** Rejects rules Vault itself would refuse, so a typo in a test's policy fails loudly. */
export function validateRules(name: string, rules: PolicyRule[]): void {
  for (const r of rules) {
    for (const c of r.capabilities) {
      if (!known.has(c as Capability))
        throw new Error(`policy "${name}": unknown capability "${c}" on path "${r.path}"`);
    }
    if (r.path.slice(0, -1).includes('*'))
      throw new Error(`policy "${name}": "*" is only allowed at the end of "${r.path}"`);
  }
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const source = body
    .split('+')
    .map((s) => s.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}${glob ? '.*' : ''}$`).test(path);
}

/** Orders matching rules: exact before glob, then longer literal prefix, then fewer `+`. */
function moreSpecific(a: string, b: string): boolean {
  const ga = a.endsWith('*');
  const gb = b.endsWith('*');
  if (ga !== gb) return !ga;
  const la = a.split('+')[0].replace(/\*$/, '').length;
  const lb = b.split('+')[0].replace(/\*$/, '').length;
  if (la !== lb) return la > lb;
  const pa = a.split('+').length;
  const pb = b.split('+').length;
  if (pa !== pb) return pa < pb;
  return a.length > b.length;
}

/** Capabilities a set of policies grants on `path` (already relative to the namespace). */
export function capabilitiesFor(policies: Array<PolicyRule[] | undefined>, path: string): Set<Capability> {
  const merged = new Map<string, Set<Capability>>();
  for (const rules of policies) {
    for (const r of rules ?? []) {
      if (!matches(r.path, path)) continue;
      const set = merged.get(r.path) ?? new Set<Capability>();
      for (const c of r.capabilities) set.add(c as Capability);
      merged.set(r.path, set);
    }
  }
  let best: string | undefined;
  for (const p of merged.keys()) if (best === undefined || moreSpecific(p, best)) best = p;
  const caps = best === undefined ? new Set<Capability>() : merged.get(best)!;
  return caps.has('deny') ? new Set<Capability>(['deny']) : caps;
}

/** Vault's built-in `default` policy, reduced to the token self-service paths. */
export const defaultPolicy: PolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read', 'update'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/capabilities-self', capabilities: ['update'] },
  { path: 'sys/internal/ui/mounts/*', capabilities: ['read'] },
];

/**
 * The policy a preview role needs (seed-vault and teardown): read `<mount>/data/stage/*`, write
 * `<mount>/data/preview/*`, manage `<mount>/metadata/preview/*` (custom_metadata, removal, listing
 * for the reaper). Anything else is 403.
 */
export function previewPolicy(mount = 'secret'): PolicyRule[] {
  return [
    { path: `${mount}/data/stage/*`, capabilities: ['read'] },
    { path: `${mount}/data/preview/*`, capabilities: ['create', 'read', 'update'] },
    { path: `${mount}/metadata/preview/*`, capabilities: ['create', 'read', 'update', 'delete', 'list'] },
  ];
}
