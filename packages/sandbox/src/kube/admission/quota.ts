/** ResourceQuota arithmetic: what a create would use, what a namespace uses, quantities. */
import { ApiError } from '../server/errors.js';
import type { KubeObject, ObjectStore, ResourceType } from '../storage/store.js';

/** The 403 the ResourceQuota admission plugin answers with. */
export function quotaExceeded(t: ResourceType, name: string, text: string): ApiError {
  const qualified = t.group ? `${t.resource}.${t.group}` : t.resource;
  return new ApiError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${text}`, {
    name,
    group: t.group,
    kind: t.resource,
  });
}

/** `count/deployments.apps`, or the legacy core names (`pods`, `services`, …). */
export function countKey(t: ResourceType): string {
  return t.group ? `count/${t.resource}.${t.group}` : t.resource;
}

const CORE_COUNTED = new Set([
  'pods',
  'services',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'replicationcontrollers',
  'resourcequotas',
]);
const COMPUTE = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'] as const;

interface QuotaCheck {
  exceeded: Array<{ key: string; requested: string; used: string; limited: string }>;
  missing?: string;
}

/** Which hard limits of one quota a create of `o` would exceed (or which compute request it lacks). */
export function checkQuota(
  store: ObjectStore,
  t: ResourceType,
  o: KubeObject,
  ns: string,
  hard: Record<string, string | number>,
): QuotaCheck {
  const out: QuotaCheck = { exceeded: [] };
  const existing = (): KubeObject[] => store.list(t, ns).filter((x) => !isTerminalPod(t, x));
  const keys = new Set([`count/${t.group ? `${t.resource}.${t.group}` : t.resource}`]);
  if (!t.group && CORE_COUNTED.has(t.resource)) keys.add(t.resource);
  for (const key of keys) {
    if (hard[key] === undefined) continue;
    const limit = parseQuantity(hard[key]);
    const used = existing().length;
    if (used + 1 > limit) out.exceeded.push({ key, requested: '1', used: String(used), limited: String(hard[key]) });
  }
  if (!t.group && t.resource === 'pods') {
    for (const key of COMPUTE) {
      if (hard[key] === undefined) continue;
      const want = podCompute(o, key);
      if (want === undefined) {
        out.missing ??= key;
        continue;
      }
      const used = existing().reduce((sum, p) => sum + (podCompute(p, key) ?? 0), 0);
      const limit = parseQuantity(hard[key]);
      if (used + want > limit) {
        out.exceeded.push({
          key,
          requested: formatQuantity(want, key),
          used: formatQuantity(used, key),
          limited: String(hard[key]),
        });
      }
    }
  }
  return out;
}

function isTerminalPod(t: ResourceType, o: KubeObject): boolean {
  if (t.group || t.resource !== 'pods') return false;
  const phase = (o.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

type Container = {
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
};

/** Sum over containers of a pod's request/limit for a quota key; undefined if a container lacks it. */
function podCompute(p: KubeObject, key: (typeof COMPUTE)[number]): number | undefined {
  const containers = (p.spec as { containers?: Container[] } | undefined)?.containers ?? [];
  const [kind, res] = key.includes('.')
    ? (key.split('.') as ['requests' | 'limits', string])
    : (['requests', key] as const);
  let sum = 0;
  for (const c of containers) {
    const v = c.resources?.[kind]?.[res] ?? (kind === 'requests' ? c.resources?.limits?.[res] : undefined);
    if (v === undefined) return undefined;
    sum += parseQuantity(v);
  }
  return sum;
}

/** `status.used` of a ResourceQuota with these hard limits, as the quota controller reports it. */
export function quotaUsage(
  store: ObjectStore,
  namespace: string,
  hard: Record<string, string | number>,
): Record<string, string> {
  const used: Record<string, string> = {};
  const podType = store.types.get('', 'v1', 'pods');
  const pods = podType ? store.list(podType, namespace).filter((p) => !isTerminalPod(podType, p)) : [];
  for (const key of Object.keys(hard)) {
    if ((COMPUTE as readonly string[]).includes(key)) {
      const sum = pods.reduce((n, p) => n + (podCompute(p, key as (typeof COMPUTE)[number]) ?? 0), 0);
      used[key] = formatQuantity(sum, key);
      continue;
    }
    const name = key.startsWith('count/') ? key.slice('count/'.length) : CORE_COUNTED.has(key) ? key : undefined;
    if (name === undefined) continue;
    const [resource, ...groupParts] = name.split('.');
    const group = groupParts.join('.');
    const t = store.types.all().find((x) => x.resource === resource && x.group === group);
    used[key] = String(t ? store.list(t, namespace).filter((o) => !isTerminalPod(t, o)).length : 0);
  }
  return used;
}

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** Kubernetes resource.Quantity text (`500m`, `128Mi`, `2`, `1e3`) as a number. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const scale = m[2] === '' ? 1 : SUFFIX[m[2]];
  return scale === undefined ? Number.NaN : Number(m[1]) * scale;
}

function formatQuantity(n: number, key: string): string {
  if (key.endsWith('cpu')) return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
  for (const [s, f] of [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (n >= f && n % f === 0) return `${n / f}${s}`;
  }
  return String(n);
}
