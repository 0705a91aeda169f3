import { describe, expect, it } from 'vitest';
import { ActionError, fromKube, newMarks } from '../../src/index.js';
import {
  DEFAULT_QUOTA,
  guardNamespace,
  guardrailManifests,
  namespaceManifest,
  parseEgressAllow,
  parseLimitRangeInput,
  parseQuotaInput,
  type NamespaceState,
} from '../../src/kube/index.js';

const now = Date.parse('2026-03-01T10:00:00Z');
const marks = newMarks({
  repository: 'acme/web',
  pr: 12,
  service: 'app',
  headSha: 'a'.repeat(40),
  now,
  ttlMs: 72 * 3600_000,
});

function existing(m: typeof marks | undefined, extra: Partial<NamespaceState> = {}): NamespaceState {
  const manifest = m ? namespaceManifest('preview-pr-12', m) : undefined;
  const labels = manifest?.metadata.labels ?? { team: 'x' };
  const annotations = manifest?.metadata.annotations ?? {};
  return { exists: true, labels, annotations, marks: fromKube(labels, annotations), ...extra };
}

describe('namespace', () => {
  it('carries our labels and annotations: head SHA, created-at and expires-at = now + ttl', () => {
    const ns = namespaceManifest('preview-pr-12', marks);
    expect(ns.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'preview-fleet',
      'preview-fleet.dev/repo': 'acme.web',
      'preview-fleet.dev/pr': '12',
    });
    expect(ns.metadata.annotations).toEqual({
      'preview-fleet.dev/repository': 'acme/web',
      'preview-fleet.dev/head-sha': 'a'.repeat(40),
      'preview-fleet.dev/created-at': '2026-03-01T10:00:00.000Z',
      'preview-fleet.dev/expires-at': '2026-03-04T10:00:00.000Z',
      'preview-fleet.dev/services': 'app',
      'preview-fleet.dev/deployed-at': '2026-03-01T10:00:00.000Z',
    });
  });

  it('a redeploy keeps created-at, refreshes expires-at, deployed-at and head SHA, and adds the service', () => {
    const later = newMarks({
      repository: 'acme/web',
      pr: 12,
      service: 'api',
      headSha: 'b'.repeat(40),
      now: now + 86_400_000,
      ttlMs: 72 * 3600_000,
    });
    const ns = namespaceManifest('preview-pr-12', later, existing(marks));
    expect(ns.metadata.annotations).toMatchObject({
      'preview-fleet.dev/created-at': '2026-03-01T10:00:00.000Z',
      'preview-fleet.dev/expires-at': '2026-03-05T10:00:00.000Z',
      'preview-fleet.dev/head-sha': 'b'.repeat(40),
      'preview-fleet.dev/services': 'api,app',
      'preview-fleet.dev/deployed-at': '2026-03-02T10:00:00.000Z',
    });
  });

  it("refuses an unmarked namespace, another PR's, another repository's and a terminating one; accepts its own or none", () => {
    const owner = { repository: 'acme/web', pr: 12 };
    expect(() => guardNamespace('preview-pr-12', existing(undefined), owner)).toThrow(
      /does not carry preview-fleet's marks/,
    );
    expect(() => guardNamespace('preview-pr-12', existing({ ...marks, pr: 13 }), owner)).toThrow(
      /belongs to acme\/web PR #13/,
    );
    expect(() => guardNamespace('preview-pr-12', existing({ ...marks, repository: 'other/repo' }), owner)).toThrow(
      ActionError,
    );
    expect(() => guardNamespace('preview-pr-12', existing(marks, { phase: 'Terminating' }), owner)).toThrow(
      /being deleted/,
    );
    expect(() => guardNamespace('preview-pr-12', existing(marks), owner)).not.toThrow();
    expect(() => guardNamespace('preview-pr-12', { exists: false, labels: {}, annotations: {} }, owner)).not.toThrow();
  });
});

describe('guardrails', () => {
  const defaults = {
    namespace: 'preview-pr-12',
    quota: parseQuotaInput('true'),
    limitRange: parseLimitRangeInput('true'),
    networkPolicy: {
      enabled: true as const,
      settings: {
        ingressNamespace: 'ingress-nginx',
        egress: parseEgressAllow('egress-allow', ['0.0.0.0/0', 'namespace:monitoring']),
      },
    },
  };

  it('default quota, limits and a network policy admitting only the namespace and the ingress controller', () => {
    const [quota, limits, policy] = guardrailManifests(defaults);
    expect(quota).toMatchObject({
      kind: 'ResourceQuota',
      metadata: { name: 'preview-fleet', namespace: 'preview-pr-12' },
      spec: { hard: DEFAULT_QUOTA },
    });
    expect(quota!.spec).toEqual({
      hard: {
        'requests.cpu': '500m',
        'requests.memory': '512Mi',
        'limits.cpu': '1',
        'limits.memory': '1Gi',
        pods: '10',
      },
    });
    expect(limits!.spec).toEqual({
      limits: [
        {
          type: 'Container',
          default: { cpu: '250m', memory: '256Mi' },
          defaultRequest: { cpu: '50m', memory: '64Mi' },
        },
      ],
    });
    expect(policy).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
    const spec = policy!.spec as any;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress).toEqual([
      {
        from: [
          { podSelector: {} },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
        ],
      },
    ]);
    expect(spec.egress[1].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    expect(spec.egress[2].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });

  it('overrides and switches', () => {
    const quota = parseQuotaInput('pods=20\nrequests.cpu=2\ncount/services=5');
    expect(quota).toEqual({
      enabled: true,
      settings: { ...DEFAULT_QUOTA, pods: '20', 'requests.cpu': '2', 'count/services': '5' },
    });
    expect(
      guardrailManifests({
        ...defaults,
        quota: parseQuotaInput('false'),
        limitRange: parseLimitRangeInput('FALSE'),
        networkPolicy: { enabled: false },
      }),
    ).toEqual([]);
    expect(parseLimitRangeInput('max.memory=1Gi')).toMatchObject({ settings: { 'max.memory': '1Gi' } });
  });

  it.each([
    ['resource-quota', () => parseQuotaInput('pods=ten'), /Kubernetes quantity/],
    ['resource-quota', () => parseQuotaInput('no equals here'), /KEY=value/],
    ['limit-range', () => parseLimitRangeInput('min.cpu=1'), /may only set/],
    ['egress-allow', () => parseEgressAllow('egress-allow', ['10.0.0.0/33']), /CIDRs/],
    ['egress-allow', () => parseEgressAllow('egress-allow', ['everything']), /CIDRs/],
  ])('refuses bad %s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});
