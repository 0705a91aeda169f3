import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, isMetadataHost, parseCidr, parseUrl, refuseMetadataUrl } from '../src/index.js';

function rejected(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const v6Groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
/** The network address of `bits` under `prefix`, rendered in the family's own syntax. */
const v4Network = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => {
  const n = a.split('.').reduce((x, o) => (x << 8n) | BigInt(o), 0n) & ~((1n << BigInt(32 - p)) - 1n);
  return `${[24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.')}/${p}`;
});
const v6Network = fc.tuple(v6Groups, fc.integer({ min: 0, max: 128 })).map(([g, p]) => {
  const n = g.reduce((x, o) => (x << 16n) | BigInt(o), 0n) & ~((1n << BigInt(128 - p)) - 1n);
  return `${[...Array(8).keys()].map((i) => ((n >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':')}/${p}`;
});

describe('parseCidr (issue 14 item 12)', () => {
  it('accepts every IPv4 and IPv6 network address with a prefix in range', () => {
    fc.assert(
      fc.property(fc.oneof(v4Network, v6Network), (cidr) => {
        fc.pre(!/^::ffff:/.test(cidr));
        expect(parseCidr('egress-allow', cidr).cidr).toBe(cidr);
      }),
    );
    expect(parseCidr('egress-allow', '::/0')).toEqual({ cidr: '::/0', family: 6, prefix: 0 });
    expect(parseCidr('egress-allow', '2001:db8::/32').family).toBe(6);
    expect(parseCidr('egress-allow', '10.1.2.3/32').prefix).toBe(32);
  });

  it("refuses any prefix beyond the family's bits, naming the input and the bound", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          v4.map((a) => [a, 32] as const),
          v6Groups.map((g) => [g.map((x) => x.toString(16)).join(':'), 128] as const),
        ),
        fc.integer({ min: 1, max: 871 }),
        ([address, bits], extra) => {
          const e = rejected(() => parseCidr('egress-allow', `${address}/${bits + extra}`));
          expect(e.input).toBe('egress-allow');
          if (bits + extra <= 999) expect(e.message).toContain(`prefix length is 0 to ${bits}`);
        },
      ),
    );
  });

  it.each([
    [':/0', 'not an IPv4 or IPv6 address'],
    ['fe80::/200', 'prefix length is 0 to 128, not 200'],
    ['10.0.0.0/33', 'prefix length is 0 to 32'],
    ['256.0.0.0/8', 'not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', 'not an IPv4 or IPv6 address'],
    ['10.0.0.0', 'must list CIDRs'],
    ['10.0.0.0/8/8', 'must list CIDRs'],
    ['fe80::1%eth0/64', 'must list CIDRs'],
    ['10.0.0.1/8', 'did you mean 10.0.0.0/8?'],
    ['2001:db8::1/32', 'did you mean 2001:db8::/32?'],
    ['::ffff:10.0.0.0/104', 'IPv4 form'],
    ['internet', 'must list CIDRs'],
  ])('refuses %s', (raw, phrase) => {
    const e = rejected(() => parseCidr('egress-allow', raw));
    expect(e.message).toMatch(/^Input "egress-allow" must list CIDRs/);
    expect(e.message).toContain(phrase);
  });
});

describe('metadata and link-local URLs (issue 14 item 13)', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://0xA9FEA9FE/',
    'http://2852039166/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.0.1:8080/',
    'https://[fe80::1]/',
    'http://[febf::1]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://METADATA.google.internal./',
  ])('refuses %s', (raw) => {
    const e = rejected(() => refuseMetadataUrl('url', raw, parseUrl('url', raw)));
    expect(e.message).toMatch(/^Input "url" must not point at a link-local or cloud metadata address/);
  });

  it('every address in 169.254.0.0/16 and fe80::/10 is refused; the neighbours are not', () => {
    fc.assert(fc.property(fc.nat(255), fc.nat(255), (a, b) => isMetadataHost(`169.254.${a}.${b}`)));
    fc.assert(
      fc.property(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.nat(0xffff), (g, h) =>
        isMetadataHost(`[${g.toString(16)}::${h.toString(16)}]`),
      ),
    );
    expect(
      [
        '169.253.255.255',
        '169.255.0.0',
        '[fec0::1]',
        '[fe7f::1]',
        '[fd00:ec2::253]',
        'app-pr-1.preview.example.com',
        '10.0.0.1',
      ].filter((h) => isMetadataHost(h)),
    ).toEqual([]);
  });
});
