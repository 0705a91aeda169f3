/**
 * The NetworkPolicy evaluator against the examples of kubernetes.io's "Network Policies" page
 * (concepts/services-networking/network-policies): the test-network-policy, the AND/OR peer
 * example, the default deny/allow policies, endPort ranges and targeting a namespace by name.
 */
import { describe, expect, it } from 'vitest';
import {
  isAllowed,
  selectorMatches,
  type Cluster,
  type Connection,
  type NetworkPolicy,
} from '../../src/netpol/evaluate.js';

const ns = (name: string, labels: Record<string, string> = {}) => ({
  [name]: { 'kubernetes.io/metadata.name': name, ...labels },
});

/** default: db (role=db), frontend, other; myproject: any pod; alice's namespace with a client. */
function cluster(policies: NetworkPolicy[]): Cluster {
  return {
    namespaces: {
      ...ns('default'),
      ...ns('myproject', { project: 'myproject' }),
      ...ns('alice', { user: 'alice' }),
      ...ns('bob'),
    },
    pods: [
      { name: 'db', namespace: 'default', ip: '10.244.0.10', labels: { role: 'db' }, ports: { redis: 6379 } },
      { name: 'frontend', namespace: 'default', ip: '10.244.0.11', labels: { role: 'frontend' } },
      { name: 'other', namespace: 'default', ip: '10.244.0.12', labels: { role: 'other' } },
      { name: 'proj', namespace: 'myproject', ip: '10.244.1.10', labels: {} },
      { name: 'client', namespace: 'alice', ip: '10.244.2.10', labels: { role: 'client' } },
      { name: 'web', namespace: 'alice', ip: '10.244.2.11', labels: { role: 'web' } },
      { name: 'client', namespace: 'bob', ip: '10.244.3.10', labels: { role: 'client' } },
    ],
    policies,
  };
}

const pol = (spec: NetworkPolicy['spec'], namespace = 'default'): NetworkPolicy => ({
  metadata: { name: 'p', namespace },
  spec,
});
const pod = (namespace: string, name: string) => ({ pod: name, namespace });

// The page's first example, verbatim in structure.
const testNetworkPolicy = pol({
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [
    {
      from: [
        { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
        { namespaceSelector: { matchLabels: { project: 'myproject' } } },
        { podSelector: { matchLabels: { role: 'frontend' } } },
      ],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ],
  egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
});

const andPeer = pol({
  podSelector: { matchLabels: { role: 'db' } },
  ingress: [
    {
      from: [
        { namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } },
      ],
    },
  ],
});
const orPeers = pol({
  podSelector: { matchLabels: { role: 'db' } },
  ingress: [
    {
      from: [
        { namespaceSelector: { matchLabels: { user: 'alice' } } },
        { podSelector: { matchLabels: { role: 'client' } } },
      ],
    },
  ],
});
const denyIngress = pol({ podSelector: {}, policyTypes: ['Ingress'] });
const allowIngress = pol({ podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
const denyEgress = pol({ podSelector: {}, policyTypes: ['Egress'] });
const allowEgress = pol({ podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
const denyAll = pol({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const endPort = pol({
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }],
});
const byName = pol({
  podSelector: {},
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'myproject' } } }] }],
});
const namedPort = pol({ podSelector: { matchLabels: { role: 'db' } }, ingress: [{ ports: [{ port: 'redis' }] }] });

const cases: Array<[string, NetworkPolicy[], Connection, boolean]> = [
  ['no policy: every pod non-isolated', [], { from: pod('bob', 'client'), to: pod('default', 'db'), port: 6379 }, true],
  [
    'test-network-policy: frontend → db:6379',
    [testNetworkPolicy],
    { from: pod('default', 'frontend'), to: pod('default', 'db'), port: 6379 },
    true,
  ],
  [
    'test-network-policy: frontend → db:6380 (port not listed)',
    [testNetworkPolicy],
    { from: pod('default', 'frontend'), to: pod('default', 'db'), port: 6380 },
    false,
  ],
  [
    'test-network-policy: UDP 6379 (protocol defaults to TCP)',
    [testNetworkPolicy],
    { from: pod('default', 'frontend'), to: pod('default', 'db'), port: 6379, protocol: 'UDP' },
    false,
  ],
  [
    'test-network-policy: other pod in default → db',
    [testNetworkPolicy],
    { from: pod('default', 'other'), to: pod('default', 'db'), port: 6379 },
    false,
  ],
  [
    'test-network-policy: any pod of project=myproject → db',
    [testNetworkPolicy],
    { from: pod('myproject', 'proj'), to: pod('default', 'db'), port: 6379 },
    true,
  ],
  [
    'test-network-policy: 172.17.0.5 → db',
    [testNetworkPolicy],
    { from: { ip: '172.17.0.5' }, to: pod('default', 'db'), port: 6379 },
    true,
  ],
  [
    'test-network-policy: 172.17.1.5 is in except',
    [testNetworkPolicy],
    { from: { ip: '172.17.1.5' }, to: pod('default', 'db'), port: 6379 },
    false,
  ],
  [
    'test-network-policy: db → 10.0.0.7:5978',
    [testNetworkPolicy],
    { from: pod('default', 'db'), to: { ip: '10.0.0.7' }, port: 5978 },
    true,
  ],
  [
    'test-network-policy: db → 10.0.1.7:5978 outside the block',
    [testNetworkPolicy],
    { from: pod('default', 'db'), to: { ip: '10.0.1.7' }, port: 5978 },
    false,
  ],
  [
    'test-network-policy: frontend is not selected, egress open',
    [testNetworkPolicy],
    { from: pod('default', 'frontend'), to: { ip: '8.8.8.8' }, port: 443 },
    true,
  ],
  [
    "AND peer: client pod in alice's namespace",
    [andPeer],
    { from: pod('alice', 'client'), to: pod('default', 'db'), port: 1 },
    true,
  ],
  [
    "AND peer: web pod in alice's namespace",
    [andPeer],
    { from: pod('alice', 'web'), to: pod('default', 'db'), port: 1 },
    false,
  ],
  [
    "AND peer: client pod in bob's namespace",
    [andPeer],
    { from: pod('bob', 'client'), to: pod('default', 'db'), port: 1 },
    false,
  ],
  [
    "OR peers: web pod in alice's namespace",
    [orPeers],
    { from: pod('alice', 'web'), to: pod('default', 'db'), port: 1 },
    true,
  ],
  [
    "OR peers: client pod in the policy's own namespace only",
    [orPeers],
    { from: pod('bob', 'client'), to: pod('default', 'db'), port: 1 },
    false,
  ],
  [
    'default-deny-ingress',
    [denyIngress],
    { from: pod('default', 'frontend'), to: pod('default', 'db'), port: 1 },
    false,
  ],
  [
    'default-deny-ingress leaves egress alone',
    [denyIngress],
    { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 },
    true,
  ],
  ['allow-all-ingress', [allowIngress], { from: { ip: '203.0.113.9' }, to: pod('default', 'db'), port: 1 }, true],
  ['default-deny-egress', [denyEgress], { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 }, false],
  [
    'default-deny-egress also stops pod to pod',
    [denyEgress],
    { from: pod('default', 'db'), to: pod('bob', 'client'), port: 80 },
    false,
  ],
  ['allow-all-egress', [allowEgress], { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 }, true],
  [
    'policies are additive: deny + allow-all',
    [denyEgress, allowEgress],
    { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 },
    true,
  ],
  ['default-deny-all: ingress', [denyAll], { from: pod('bob', 'client'), to: pod('default', 'db'), port: 1 }, false],
  [
    'default-deny-all: egress',
    [denyAll],
    { from: pod('default', 'frontend'), to: pod('bob', 'client'), port: 1 },
    false,
  ],
  [
    "a connection needs the destination's ingress too",
    [pol({ podSelector: {}, policyTypes: ['Ingress'] }, 'bob')],
    { from: pod('default', 'db'), to: pod('bob', 'client'), port: 80 },
    false,
  ],
  ['endPort: 32000', [endPort], { from: pod('default', 'db'), to: { ip: '10.0.0.1' }, port: 32000 }, true],
  ['endPort: 32768 (inclusive)', [endPort], { from: pod('default', 'db'), to: { ip: '10.0.0.1' }, port: 32768 }, true],
  ['endPort: 32769', [endPort], { from: pod('default', 'db'), to: { ip: '10.0.0.1' }, port: 32769 }, false],
  [
    'namespace by name label',
    [byName],
    { from: pod('myproject', 'proj'), to: pod('default', 'other'), port: 80 },
    true,
  ],
  [
    'namespace by name label: another namespace',
    [byName],
    { from: pod('bob', 'client'), to: pod('default', 'other'), port: 80 },
    false,
  ],
  [
    'named port resolves on the destination pod',
    [namedPort],
    { from: pod('bob', 'client'), to: pod('default', 'db'), port: 6379 },
    true,
  ],
  [
    'named port: another port',
    [namedPort],
    { from: pod('bob', 'client'), to: pod('default', 'db'), port: 6380 },
    false,
  ],
];

describe('NetworkPolicy evaluator (kubernetes.io examples)', () => {
  it.each(cases)('%s', (_name, policies, connection, expected) => {
    expect(isAllowed(cluster(policies), connection)).toBe(expected);
  });

  it('policyTypes default: Ingress, plus Egress when the policy has egress rules', () => {
    const egressOnly = pol({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    expect(isAllowed(cluster([egressOnly]), { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 })).toBe(
      false,
    );
    expect(isAllowed(cluster([egressOnly]), { from: pod('bob', 'client'), to: pod('default', 'db'), port: 1 })).toBe(
      false,
    );
  });

  it('ipBlock against pod IPs is a choice (implementation-defined upstream)', () => {
    const toPods = pol({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }],
    });
    const c: Connection = { from: pod('default', 'db'), to: pod('bob', 'client'), port: 80 };
    expect(isAllowed(cluster([toPods]), c)).toBe(true);
    expect(isAllowed(cluster([toPods]), c, { ipBlockMatchesPods: false })).toBe(false);
  });

  it('IPv6 blocks match only IPv6 addresses', () => {
    const v6 = pol({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } }] }],
    });
    expect(isAllowed(cluster([v6]), { from: pod('default', 'db'), to: { ip: '2001:db8::1' }, port: 443 })).toBe(true);
    expect(isAllowed(cluster([v6]), { from: pod('default', 'db'), to: { ip: 'fd00:ec2::254' }, port: 80 })).toBe(false);
    expect(isAllowed(cluster([v6]), { from: pod('default', 'db'), to: { ip: '1.1.1.1' }, port: 443 })).toBe(false);
  });

  it('label selectors: matchLabels AND matchExpressions', () => {
    const sel = {
      matchLabels: { a: '1' },
      matchExpressions: [
        { key: 'b', operator: 'In' as const, values: ['x', 'y'] },
        { key: 'c', operator: 'DoesNotExist' as const },
      ],
    };
    expect(selectorMatches(sel, { a: '1', b: 'y' })).toBe(true);
    expect(selectorMatches(sel, { a: '1', b: 'z' })).toBe(false);
    expect(selectorMatches(sel, { a: '1', b: 'x', c: '' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['x'] }] }, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({}, { any: 'thing' })).toBe(true);
  });
});
