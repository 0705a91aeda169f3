/**
 * A NetworkPolicy evaluator: given the cluster's namespaces, pods and NetworkPolicy objects, may
 * a connection from A reach B on a port? The sandbox runs no CNI, so tests prove the policies
 * deploy-helm renders with this instead. It follows the semantics of kubernetes.io's "Network
 * Policies" page and the networking.k8s.io/v1 API reference (no npm library models them):
 *
 * - a pod is isolated for a direction only when some policy selecting it has that direction in
 *   `policyTypes` (default: Ingress, plus Egress when the policy has an `egress` field);
 * - an isolated pod allows what the union of those policies' rules allows (policies are additive);
 * - a connection needs the source's egress AND the destination's ingress to allow it;
 * - a rule matches when one of its peers AND one of its ports match; a missing/empty peer or
 *   port list matches everything; `podSelector` + `namespaceSelector` in one peer is an AND;
 * - `ipBlock` matches the address inside `cidr` and outside every `except`. Whether an ipBlock
 *   matches pod IPs is implementation-defined upstream; `ipBlockMatchesPods` (default true, the
 *   permissive and so the stricter-to-test reading) decides.
 */
import { BlockList, isIPv4 } from 'node:net';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}
export interface PolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}
export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector?: LabelSelector;
    policyTypes?: Array<'Ingress' | 'Egress'>;
    ingress?: Array<{ from?: PolicyPeer[]; ports?: PolicyPort[] }>;
    egress?: Array<{ to?: PolicyPeer[]; ports?: PolicyPort[] }>;
  };
}
export interface Pod {
  name: string;
  namespace: string;
  ip: string;
  labels?: Record<string, string>;
  ports?: Record<string, number>;
}
export interface Cluster {
  namespaces: Record<string, Record<string, string>>;
  pods: Pod[];
  policies: NetworkPolicy[];
}
/** One end of a connection: a pod of the cluster, or an address outside it. */
export type Endpoint = { pod: string; namespace: string } | { ip: string };
export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}
export interface EvaluateOptions {
  ipBlockMatchesPods?: boolean;
}

/** Kubernetes label-selector semantics; an empty selector matches everything. */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key]!)
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key]!)
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

function inCidr(ip: string, cidr: string): boolean {
  const [addr, bits] = cidr.split('/') as [string, string];
  const family = isIPv4(addr) ? 'ipv4' : 'ipv6';
  if ((family === 'ipv4') !== isIPv4(ip)) return false;
  const list = new BlockList();
  list.addSubnet(addr, Number(bits), family);
  return list.check(ip, family);
}

function typesOf(p: NetworkPolicy): Array<'Ingress' | 'Egress'> {
  return p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function resolve(cluster: Cluster, e: Endpoint): { ip: string; pod?: Pod } {
  if ('ip' in e) return { ip: e.ip };
  const pod = cluster.pods.find((p) => p.name === e.pod && p.namespace === e.namespace);
  if (!pod) throw new Error(`No pod ${e.namespace}/${e.pod} in the cluster`);
  return { ip: pod.ip, pod };
}

function peerMatches(
  cluster: Cluster,
  policyNs: string,
  peer: PolicyPeer,
  other: { ip: string; pod?: Pod },
  o: EvaluateOptions,
): boolean {
  if (peer.ipBlock) {
    if (other.pod && o.ipBlockMatchesPods === false) return false;
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x) => inCidr(other.ip, x));
  }
  if (!other.pod) return false; // selectors select pods only
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, cluster.namespaces[other.pod.namespace])
    : other.pod.namespace === policyNs;
  return nsOk && selectorMatches(peer.podSelector, other.pod.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string, target?: Pod): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    // A named port resolves against the destination pod's container ports.
    const n = typeof p.port === 'number' ? p.port : target?.ports?.[p.port];
    if (n === undefined) return false;
    return p.endPort !== undefined ? port >= n && port <= p.endPort : port === n;
  });
}

function directionAllows(
  cluster: Cluster,
  self: Pod,
  dir: 'Ingress' | 'Egress',
  other: { ip: string; pod?: Pod },
  port: number,
  protocol: string,
  target: Pod | undefined,
  o: EvaluateOptions,
): boolean {
  const policies = cluster.policies.filter(
    (p) =>
      p.metadata.namespace === self.namespace &&
      selectorMatches(p.spec.podSelector, self.labels) &&
      typesOf(p).includes(dir),
  );
  if (policies.length === 0) return true; // not isolated
  return policies.some((p) => {
    const rules =
      dir === 'Ingress'
        ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (r) =>
        portMatches(r.ports, port, protocol, target) &&
        (!r.peers ||
          r.peers.length === 0 ||
          r.peers.some((peer) => peerMatches(cluster, p.metadata.namespace, peer, other, o))),
    );
  });
}

/** Whether the cluster's policies let `c.from` open a connection to `c.to` on `c.port`. */
export function isAllowed(cluster: Cluster, c: Connection, o: EvaluateOptions = {}): boolean {
  const protocol = c.protocol ?? 'TCP';
  const from = resolve(cluster, c.from);
  const to = resolve(cluster, c.to);
  if (from.pod && !directionAllows(cluster, from.pod, 'Egress', to, c.port, protocol, to.pod, o)) return false;
  if (to.pod && !directionAllows(cluster, to.pod, 'Ingress', from, c.port, protocol, to.pod, o)) return false;
  return true;
}
