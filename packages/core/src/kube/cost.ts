/**
 * What a preview asks the cluster for and what that costs per hour (issue 19 §3). Requests, not
 * usage: each Deployment's and StatefulSet's pod template × its replicas (so a sleeping preview,
 * at 0 replicas, asks for no CPU or memory) plus its PersistentVolumeClaims, which outlive sleep.
 * Prices are the user's (`price-vcpu-hour`, `price-gib-hour`, `price-storage-gib-hour`);
 * `spot-discount` lowers compute only — volumes are not spot.
 */
import { InputError } from '../runtime/errors.js';
import { kubectlJson, type KubeTools } from './tools.js';

export interface Requests {
  /** vCPU */
  cpu: number;
  /** GiB of memory */
  memoryGiB: number;
  /** GiB of claimed storage */
  storageGiB: number;
}

export interface Prices {
  vcpuHour: number;
  gibHour: number;
  storageGibHour: number;
  /** In [0, 1): the share spot capacity saves on compute. */
  spotDiscount: number;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (`250m` → 0.25, `512Mi` → 536870912); 0 when absent or unreadable. */
export function quantityValue(q: unknown): number {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+))?([numkMGTPE]i?|)$/.exec(String(q ?? '').trim());
  if (!m) return 0;
  const factor = SUFFIX[m[3]!];
  if (factor === undefined) return 0;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * factor;
}

const GIB = 2 ** 30;

/** Requests of one pod spec: containers (init containers run before, not alongside: their max counts, as the scheduler does). */
function podRequests(spec: any): { cpu: number; memory: number } {
  const sum = (list: any[] | undefined, key: string) =>
    (list ?? []).reduce((n, c) => n + quantityValue(c?.resources?.requests?.[key]), 0);
  const max = (list: any[] | undefined, key: string) =>
    Math.max(0, ...(list ?? []).map((c) => quantityValue(c?.resources?.requests?.[key])));
  return {
    cpu: Math.max(sum(spec?.containers, 'cpu'), max(spec?.initContainers, 'cpu')),
    memory: Math.max(sum(spec?.containers, 'memory'), max(spec?.initContainers, 'memory')),
  };
}

/** Requests from listed objects (Deployments, StatefulSets, PersistentVolumeClaims). Pure. */
export function requestsOf(items: readonly any[]): Requests {
  let cpu = 0;
  let memory = 0;
  let storage = 0;
  for (const o of items) {
    if (o?.kind === 'Deployment' || o?.kind === 'StatefulSet') {
      const replicas = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
      const r = podRequests(o.spec?.template?.spec);
      cpu += r.cpu * replicas;
      memory += r.memory * replicas;
    } else if (o?.kind === 'PersistentVolumeClaim') {
      storage += quantityValue(o.spec?.resources?.requests?.storage);
    }
  }
  return { cpu, memoryGiB: memory / GIB, storageGiB: storage / GIB };
}

/** The namespace's requests, from one list call. */
export async function namespaceRequests(tools: KubeTools, namespace: string): Promise<Requests> {
  const list = await kubectlJson(tools, [
    'get',
    'deployments,statefulsets,persistentvolumeclaims',
    '--namespace',
    namespace,
  ]);
  return requestsOf(list.items ?? []);
}

/** $/h for these requests at these prices. */
export function hourlyCost(r: Requests, p: Prices): number {
  const compute = (r.cpu * p.vcpuHour + r.memoryGiB * p.gibHour) * (1 - p.spotDiscount);
  return compute + r.storageGiB * p.storageGibHour;
}

/** Adds requests (a PR's namespaces, the fleet). */
export function addRequests(a: Requests, b: Requests): Requests {
  return { cpu: a.cpu + b.cpu, memoryGiB: a.memoryGiB + b.memoryGiB, storageGiB: a.storageGiB + b.storageGiB };
}

const round = (n: number, digits: number): string => String(Number(n.toFixed(digits)));

/** `$0.41` with enough digits to show a small preview's cost. */
export function formatDollars(n: number): string {
  return `$${n >= 1 ? n.toFixed(2) : n >= 0.01 ? n.toFixed(3).replace(/0$/, '') : n.toFixed(4)}`;
}

/** `≈ $0.021/h (0.25 vCPU, 0.5 GiB, 1 GiB storage)` for the comment. */
export function describeCost(r: Requests, p: Prices): string {
  return `≈ ${formatDollars(hourlyCost(r, p))}/h (${round(r.cpu, 3)} vCPU, ${round(r.memoryGiB, 2)} GiB, ${round(r.storageGiB, 2)} GiB storage)`;
}

/** A price input: a non-negative decimal number ('' → undefined: no estimate). */
export function parsePrice(input: string, raw: string): number | undefined {
  if (raw.trim() === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw.trim()))
    throw new InputError(input, raw, 'must be a non-negative number in dollars, e.g. 0.0336');
  return Number(raw.trim());
}

/** `spot-discount`: a share in [0, 1) (0.7 = spot saves 70% on compute). */
export function parseSpotDiscount(input: string, raw: string): number {
  const v = raw.trim() === '' ? 0 : Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim() || '0') || !(v >= 0 && v < 1))
    throw new InputError(input, raw, 'must be a number from 0 up to (not including) 1, e.g. 0.7 for 70% off compute');
  return v;
}

/** The prices from the three inputs, or undefined when no price is given (no estimate shown). */
export function parsePrices(raw: {
  vcpu: [string, string];
  gib: [string, string];
  storage: [string, string];
  spot: [string, string];
}): Prices | undefined {
  const vcpu = parsePrice(...raw.vcpu);
  const gib = parsePrice(...raw.gib);
  const storage = parsePrice(...raw.storage);
  const spotDiscount = parseSpotDiscount(...raw.spot);
  if (vcpu === undefined && gib === undefined) return undefined;
  return { vcpuHour: vcpu ?? 0, gibHour: gib ?? 0, storageGibHour: storage ?? 0, spotDiscount };
}
