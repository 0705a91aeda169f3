/**
 * IP addresses and CIDRs in inputs: egress allow-lists (deploy-helm) and probe URLs (wait-ready).
 * Both are checked up front, so a bad value fails before a namespace exists or a request is sent.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { InputError } from './runtime/errors.js';

/** A CIDR as Kubernetes' NetworkPolicy `ipBlock.cidr` takes it. */
export interface Cidr {
  /** The text as given (trimmed); it is the canonical network address. */
  cidr: string;
  family: 4 | 6;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The address as a number of 32 or 128 bits (the address must already be a valid IPv4/IPv6). */
function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = addressBits(v4[1]!, 4);
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatBits(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups = [...Array(8).keys()].map((i) => ((n >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952), enough for a readable hint.
  const text = groups.join(':');
  const runs = text.match(/(^|:)0(:0)+(:|$)/g);
  if (!runs) return text;
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
  return text.replace(longest, '::');
}

/**
 * One CIDR: an IPv4 or IPv6 address (node:net's isIP rules: no leading zeros, no zone index), a
 * prefix within the family's bits, and no host bits set (`10.0.0.1/8` is refused with a hint,
 * since it reads as one host but allows a whole network).
 */
export function parseCidr(input: string, raw: string): Cidr {
  const v = raw.trim();
  const accepted =
    'must list CIDRs like 0.0.0.0/0, 10.0.0.0/8 or 2001:db8::/32 (an IPv4 or IPv6 address and a prefix length), or namespace:<name>';
  const m = /^([^/\s%]+)\/(\d{1,3})$/.exec(v);
  if (!m) throw new InputError(input, raw, accepted);
  const address = m[1]!;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined) throw new InputError(input, raw, accepted, `"${address}" is not an IPv4 or IPv6 address`);
  const prefix = Number(m[2]);
  if (prefix > BITS[family]) {
    throw new InputError(input, raw, accepted, `An IPv${family} prefix length is 0 to ${BITS[family]}, not ${prefix}`);
  }
  if (family === 6 && /^::ffff:/i.test(address) && prefix >= 96) {
    throw new InputError(input, raw, accepted, 'Write an IPv4-mapped address in its IPv4 form');
  }
  const bits = addressBits(address, family);
  const hostMask = (1n << BigInt(BITS[family] - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    throw new InputError(
      input,
      raw,
      accepted,
      `${v} has host bits set: did you mean ${formatBits(bits & ~hostMask, family)}/${prefix}?`,
    );
  }
  return { cidr: v, family, prefix };
}

/**
 * The cloud metadata addresses no egress rule may ever reach (AWS, GCP and Azure answer on
 * 169.254.169.254; AWS's IPv6 instance metadata service is fd00:ec2::254).
 */
export const METADATA_CIDRS: readonly Cidr[] = [
  { cidr: '169.254.169.254/32', family: 4, prefix: 32 },
  { cidr: 'fd00:ec2::254/128', family: 6, prefix: 128 },
];

/** Whether CIDR `outer` contains every address of `inner` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = BITS[outer.family];
  const shift = BigInt(bits - outer.prefix);
  const net = (c: Cidr) => addressBits(c.cidr.split('/')[0]!, c.family) >> shift;
  return net(outer) === net(inner);
}

/**
 * The metadata CIDRs an allowed range must carve out (`ipBlock.except`): those it contains.
 * Kubernetes requires each `except` to be a strict subset of `cidr`, so a range that *is* a
 * metadata address is refused by the caller instead.
 */
export function metadataExcepts(c: Cidr): string[] {
  return METADATA_CIDRS.filter((m) => cidrContains(c, m)).map((m) => m.cidr);
}

/** Link-local ranges (cloud metadata lives there) and the metadata endpoints outside them. */
const METADATA = new BlockList();
METADATA.addSubnet('169.254.0.0', 16, 'ipv4');
METADATA.addSubnet('fe80::', 10, 'ipv6');
// AWS's IPv6 instance metadata service, outside link-local.
METADATA.addAddress('fd00:ec2::254', 'ipv6');

/** Hostnames that name a cloud metadata service whatever they resolve to. */
const METADATA_HOSTS = [
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
];

/**
 * Whether a URL hostname is a link-local or cloud metadata address: 169.254.0.0/16 (including
 * 169.254.169.254 in every spelling WHATWG URL normalises, and IPv4-mapped IPv6), fe80::/10,
 * fd00:ec2::254, or a well-known metadata hostname.
 */
export function isMetadataHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (isIPv4(h)) return METADATA.check(h, 'ipv4');
  if (isIPv6(h)) return METADATA.check(h.replace(/%.*$/, ''), 'ipv6');
  return METADATA_HOSTS.includes(h);
}

/** Refuses a URL that points at a link-local or metadata address (a probe must never reach credentials). */
export function refuseMetadataUrl(input: string, raw: string, url: URL): URL {
  if (isMetadataHost(url.hostname)) {
    throw new InputError(
      input,
      raw,
      'must not point at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254)',
      "Pass the preview's own URL, e.g. deploy-helm's url output",
    );
  }
  return url;
}
