/**
 * The fence around a PR's namespace, applied (server-side, idempotently) before the release:
 * a ResourceQuota, a LimitRange giving containers without resources sane defaults, and a
 * NetworkPolicy that admits traffic only from the namespace itself and the ingress controller's
 * namespace, with egress limited to DNS, the namespace and an allow-list (empty by default:
 * closed egress). The cloud metadata addresses are excepted from every allowed range, even 0.0.0.0/0.
 */
import { InputError } from '../runtime/errors.js';
import { parseKeyValueMap } from '../runtime/parse.js';
import { MANAGED_BY, LABELS } from '../marks.js';
import { metadataExcepts, parseCidr } from '../network.js';
import { checkQuantity, isCountResource } from './quantity.js';
import type { KubeObject } from './namespace.js';

export const DEFAULT_QUOTA: Readonly<Record<string, string>> = {
  'requests.cpu': '500m',
  'requests.memory': '512Mi',
  'limits.cpu': '1',
  'limits.memory': '1Gi',
  pods: '10',
};

export const DEFAULT_LIMITS: Readonly<Record<string, string>> = {
  'default.cpu': '250m',
  'default.memory': '256Mi',
  'defaultRequest.cpu': '50m',
  'defaultRequest.memory': '64Mi',
};

const LIMIT_KEYS = [
  'default.cpu',
  'default.memory',
  'defaultRequest.cpu',
  'defaultRequest.memory',
  'max.cpu',
  'max.memory',
];

/** Resource names a quota accepts: `pods`, `requests.cpu`, `count/deployments.apps`, `requests.storage`, … */
const QUOTA_KEY = /^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$/;

export type Toggle<T> = { enabled: false } | { enabled: true; settings: T };

/**
 * `true` (defaults), `false` (off), or multiline `key=value` overrides on top of the defaults.
 * Values are checked as Kubernetes quantities (grammar, int64 range, whole numbers for counts)
 * so a typo fails before anything is applied.
 */
export function parseQuantityToggle(
  input: string,
  raw: string,
  defaults: Readonly<Record<string, string>>,
  allowedKeys?: readonly string[],
): Toggle<Record<string, string>> {
  const v = raw.trim();
  if (['true', 'True', 'TRUE', ''].includes(v)) return { enabled: true, settings: { ...defaults } };
  if (['false', 'False', 'FALSE'].includes(v)) return { enabled: false };
  const map = parseKeyValueMap(input, raw, QUOTA_KEY);
  const settings: Record<string, string> = { ...defaults };
  for (const [k, value] of map) {
    if (allowedKeys && !allowedKeys.includes(k)) {
      throw new InputError(input, `${k}=${value}`, `may only set ${allowedKeys.join(', ')}`);
    }
    settings[k] = checkQuantity(input, `${k}=${value}`, value, { integer: isCountResource(k) });
  }
  return { enabled: true, settings };
}

export function parseQuotaInput(raw: string): Toggle<Record<string, string>> {
  return parseQuantityToggle('resource-quota', raw, DEFAULT_QUOTA);
}

/**
 * The `resource-quota` a namespace shared by `services` services gets: the per-service defaults
 * times the number of services (one app + its database fits in one share), then the user's own
 * keys as given. `false` stays off. Returned as the key=value lines deploy-helm reads.
 */
export function sharedQuotaInput(raw: string, services: number): string {
  const given = parseQuotaInput(raw);
  if (!given.enabled) return raw;
  const own = ['true', 'True', 'TRUE', ''].includes(raw.trim())
    ? new Map<string, string>()
    : parseKeyValueMap('resource-quota', raw, QUOTA_KEY);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULT_QUOTA)) {
    const m = /^(\d+)(.*)$/.exec(v)!;
    settings[k] = `${Number(m[1]) * services}${m[2]}`;
  }
  for (const [k, v] of own) settings[k] = v.trim();
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function parseLimitRangeInput(raw: string): Toggle<Record<string, string>> {
  return parseQuantityToggle('limit-range', raw, DEFAULT_LIMITS, LIMIT_KEYS);
}

export interface EgressRule {
  cidr?: string;
  /** The cloud metadata addresses inside `cidr`, always carved out (`ipBlock.except`). */
  except?: string[];
  namespace?: string;
}

/**
 * The egress allow-list: IPv4/IPv6 CIDRs (`0.0.0.0/0`, `10.1.0.0/16`, `::/0`) and
 * `namespace:<name>` entries. A range holding a cloud metadata address gets it as an exception;
 * a range that is nothing but a metadata address is refused.
 */
export function parseEgressAllow(input: string, items: string[]): EgressRule[] {
  return items.map((item) => {
    const ns = /^namespace:([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(item);
    if (ns) return { namespace: ns[1] };
    const cidr = parseCidr(input, item);
    const except = metadataExcepts(cidr);
    if (except.includes(cidr.cidr)) {
      throw new InputError(
        input,
        item,
        'must not allow a cloud metadata address (169.254.169.254/32, fd00:ec2::254/128)',
        'Preview pods never reach instance credentials; the network policy always excludes them',
      );
    }
    return except.length ? { cidr: cidr.cidr, except } : { cidr: cidr.cidr };
  });
}

export interface GuardrailOptions {
  namespace: string;
  quota: Toggle<Record<string, string>>;
  limitRange: Toggle<Record<string, string>>;
  networkPolicy: Toggle<{ ingressNamespace: string; egress: EgressRule[] }>;
}

export const GUARDRAIL_NAME = 'preview-fleet';

const NS_NAME_LABEL = 'kubernetes.io/metadata.name';

function meta(name: string, namespace: string): KubeObject['metadata'] {
  return { name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } };
}

/** The guardrail objects for one namespace (empty list when every fence is off). */
export function guardrailManifests(o: GuardrailOptions): KubeObject[] {
  const out: KubeObject[] = [];
  if (o.quota.enabled) {
    out.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(GUARDRAIL_NAME, o.namespace),
      spec: { hard: { ...o.quota.settings } },
    });
  }
  if (o.limitRange.enabled) {
    const s = o.limitRange.settings;
    const pick = (prefix: string): Record<string, string> | undefined => {
      const r: Record<string, string> = {};
      for (const [k, v] of Object.entries(s)) if (k.startsWith(`${prefix}.`)) r[k.slice(prefix.length + 1)] = v;
      return Object.keys(r).length ? r : undefined;
    };
    const limit: Record<string, unknown> = { type: 'Container' };
    for (const part of ['default', 'defaultRequest', 'max']) {
      const r = pick(part);
      if (r) limit[part] = r;
    }
    out.push({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(GUARDRAIL_NAME, o.namespace),
      spec: { limits: [limit] },
    });
  }
  if (o.networkPolicy.enabled) {
    const { ingressNamespace, egress } = o.networkPolicy.settings;
    const sameNamespace = { podSelector: {} };
    const nsPeer = (name: string) => ({ namespaceSelector: { matchLabels: { [NS_NAME_LABEL]: name } } });
    const ingressFrom: unknown[] = [sameNamespace];
    if (ingressNamespace) ingressFrom.push(nsPeer(ingressNamespace));
    const egressRules: unknown[] = [
      { to: [sameNamespace] },
      // DNS: without it nothing resolves (CoreDNS lives in kube-system).
      {
        to: [nsPeer('kube-system')],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ];
    const peers = egress.map((e) =>
      e.cidr ? { ipBlock: e.except ? { cidr: e.cidr, except: e.except } : { cidr: e.cidr } } : nsPeer(e.namespace!),
    );
    if (peers.length) egressRules.push({ to: peers });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(GUARDRAIL_NAME, o.namespace),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: ingressFrom }],
        egress: egressRules,
      },
    });
  }
  return out;
}
