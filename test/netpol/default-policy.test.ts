/**
 * deploy-helm's default NetworkPolicy (issue 16 part 3), rendered by core's guardrails from the
 * action's own defaults and judged by the sandbox's NetworkPolicy evaluator: egress only to DNS,
 * the PR's namespace and egress-allow, never the cloud metadata addresses; ingress only from the
 * ingress controller's namespace and the PR's own.
 */
import { describe, expect, it } from 'vitest';
import { guardrailManifests, parseEgressAllow } from '@preview-fleet/core/kube';
import { isAllowed, type Cluster, type Connection, type NetworkPolicy } from '@preview-fleet/sandbox/netpol';
import { DEFAULTS, parseInputs } from '@preview-fleet/action-deploy-helm/inputs';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { join } from 'node:path';

const CHART = join(repoRoot, 'workflows-examples/charts/preview');

function policyFor(namespace: string, egressAllow: string): NetworkPolicy {
  const { guardrails } = parseInputs({ chart: CHART, 'egress-allow': egressAllow });
  const np = guardrailManifests({ namespace, ...guardrails }).find((o) => o.kind === 'NetworkPolicy');
  return np as unknown as NetworkPolicy;
}

const names = (...list: string[]) => Object.fromEntries(list.map((n) => [n, { 'kubernetes.io/metadata.name': n }]));

function cluster(egressAllow: string): Cluster {
  return {
    namespaces: names('preview-pr-12', 'preview-pr-13', 'kube-system', 'ingress-nginx', 'staging', 'monitoring'),
    pods: [
      { name: 'app', namespace: 'preview-pr-12', ip: '10.244.1.10', labels: { app: 'web' } },
      { name: 'db', namespace: 'preview-pr-12', ip: '10.244.1.11', labels: { app: 'db' } },
      { name: 'app', namespace: 'preview-pr-13', ip: '10.244.2.10', labels: { app: 'web' } },
      { name: 'coredns', namespace: 'kube-system', ip: '10.244.0.2', labels: { 'k8s-app': 'kube-dns' } },
      { name: 'controller', namespace: 'ingress-nginx', ip: '10.244.0.3', labels: {} },
      { name: 'api', namespace: 'staging', ip: '10.244.3.10', labels: {} },
      { name: 'prometheus', namespace: 'monitoring', ip: '10.244.4.10', labels: {} },
    ],
    policies: [policyFor('preview-pr-12', egressAllow), policyFor('preview-pr-13', egressAllow)],
  };
}

const app = { pod: 'app', namespace: 'preview-pr-12' };
const to = (target: Connection['to'], port: number, protocol: Connection['protocol'] = 'TCP'): Connection => ({
  from: app,
  to: target,
  port,
  protocol,
});

describe('default NetworkPolicy (deploy-helm defaults)', () => {
  it('egress-allow defaults to empty: egress is closed', () => {
    expect(DEFAULTS['egress-allow']).toBe('');
  });

  const closed = cluster(DEFAULTS['egress-allow']!);
  it.each<[string, Connection, boolean]>([
    ['DNS over UDP to CoreDNS', to({ pod: 'coredns', namespace: 'kube-system' }, 53, 'UDP'), true],
    ['DNS over TCP to CoreDNS', to({ pod: 'coredns', namespace: 'kube-system' }, 53, 'TCP'), true],
    ['kube-system on another port', to({ pod: 'coredns', namespace: 'kube-system' }, 443), false],
    ["the PR's own namespace", to({ pod: 'db', namespace: 'preview-pr-12' }, 5432), true],
    ["another PR's namespace", to({ pod: 'app', namespace: 'preview-pr-13' }, 8080), false],
    ['staging', to({ pod: 'api', namespace: 'staging' }, 443), false],
    ['the internet', to({ ip: '1.1.1.1' }, 443), false],
    ['the metadata endpoint', to({ ip: '169.254.169.254' }, 80), false],
    ['the IPv6 metadata endpoint', to({ ip: 'fd00:ec2::254' }, 80), false],
    [
      'ingress from the ingress controller',
      { from: { pod: 'controller', namespace: 'ingress-nginx' }, to: app, port: 8080 },
      true,
    ],
    [
      "ingress from the PR's own namespace",
      { from: { pod: 'db', namespace: 'preview-pr-12' }, to: app, port: 8080 },
      true,
    ],
    ['ingress from another PR', { from: { pod: 'app', namespace: 'preview-pr-13' }, to: app, port: 8080 }, false],
    ['ingress from staging', { from: { pod: 'api', namespace: 'staging' }, to: app, port: 8080 }, false],
    ['ingress from outside the cluster', { from: { ip: '203.0.113.7' }, to: app, port: 8080 }, false],
  ])('closed default: %s', (_name, c, expected) => {
    expect(isAllowed(closed, c)).toBe(expected);
  });

  it('the allow-list opens exactly what it lists', () => {
    const c = cluster('10.20.0.0/16\nnamespace:monitoring');
    expect(isAllowed(c, to({ ip: '10.20.5.6' }, 5432))).toBe(true);
    expect(isAllowed(c, to({ ip: '10.21.0.1' }, 5432))).toBe(false);
    expect(isAllowed(c, to({ pod: 'prometheus', namespace: 'monitoring' }, 9090))).toBe(true);
    expect(isAllowed(c, to({ pod: 'api', namespace: 'staging' }, 443), { ipBlockMatchesPods: false })).toBe(false);
  });

  it.each(['0.0.0.0/0\n::/0', '169.254.0.0/16,fd00::/8', '169.254.169.252/30\nfd00:ec2::/64'])(
    'the metadata addresses stay closed even when egress-allow is %j',
    (allow) => {
      const c = cluster(allow);
      expect(isAllowed(c, to({ ip: '169.254.169.254' }, 80))).toBe(false);
      expect(isAllowed(c, to({ ip: 'fd00:ec2::254' }, 80))).toBe(false);
      expect(isAllowed(c, to({ ip: allow.startsWith('0') ? '1.1.1.1' : '169.254.169.253' }, 80))).toBe(true);
    },
  );

  it("0.0.0.0/0 opens the internet; whether it opens other namespaces' pod IPs depends on the CNI (documented)", () => {
    const c = cluster('0.0.0.0/0');
    expect(isAllowed(c, to({ ip: '1.1.1.1' }, 443))).toBe(true);
    expect(isAllowed(c, to({ pod: 'api', namespace: 'staging' }, 443), { ipBlockMatchesPods: false })).toBe(false);
    // Another PR's namespace still refuses on its own ingress side, whatever the CNI.
    expect(isAllowed(c, to({ pod: 'app', namespace: 'preview-pr-13' }, 8080))).toBe(false);
  });

  it('renders ipBlock.except only where a range holds a metadata address, and refuses the address itself', () => {
    expect(parseEgressAllow('egress-allow', ['0.0.0.0/0', '::/0', '10.0.0.0/8'])).toEqual([
      { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] },
      { cidr: '::/0', except: ['fd00:ec2::254/128'] },
      { cidr: '10.0.0.0/8' },
    ]);
    expect(() => parseEgressAllow('egress-allow', ['169.254.169.254/32'])).toThrow(
      /must not allow a cloud metadata address/,
    );
    expect(() => parseEgressAllow('egress-allow', ['fd00:ec2::254/128'])).toThrow(/Input "egress-allow"/);
  });
});
