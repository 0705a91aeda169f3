/**
 * DNS and TLS as a team installs them (seeds 000/001): the platform chart's ClusterIssuer
 * (Let's Encrypt, DNS-01) and ONE wildcard Certificate, and the preview chart's Ingress with
 * ExternalDNS annotations on a host that wildcard covers — rendered by the real helm 3 and 4 and
 * validated with cert-manager's own schemas (@kubernetes-models/cert-manager).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';

const run = promisify(execFile);
const charts = join(repoRoot, 'workflows-examples', 'charts');
const platform = join(charts, 'preview-platform');
const preview = join(charts, 'preview');
const docsOf = (yaml: string): any[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS())
    .filter(Boolean);
/** `*.d` covers `h` when h is exactly one label under d (TLS wildcards match one label). */
const covers = (wildcard: string, host: string): boolean =>
  wildcard.startsWith('*.') && host.endsWith(wildcard.slice(1)) && !host.slice(0, -wildcard.length + 1).includes('.');

describe.each([
  ['helm 3', 'v31'],
  ['helm 4', 'v34'],
] as const)('DNS + TLS with %s', (_name, set) => {
  const helm = toolPaths()[set].helm;
  const template = async (chart: string, args: string[]): Promise<any[]> =>
    docsOf((await run(helm, ['template', 'x', chart, ...args])).stdout);

  it('the platform chart passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', platform]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("renders one DNS-01 ClusterIssuer and ONE wildcard Certificate, valid by cert-manager's schemas, covering every preview host", async () => {
    const docs = await template(platform, [
      '--set',
      'domain=preview.acme.dev',
      '--set',
      'acme.email=ops@acme.dev',
      '--set',
      'dns01.route53.hostedZoneID=Z111',
    ]);
    expect(docs.map((d) => d.kind).sort()).toEqual(['Certificate', 'ClusterIssuer']);
    const issuer = new ClusterIssuer(docs.find((d) => d.kind === 'ClusterIssuer'));
    const cert = new Certificate(docs.find((d) => d.kind === 'Certificate'));
    issuer.validate();
    cert.validate();
    const solver = issuer.spec!.acme!.solvers![0]!;
    expect(solver.http01).toBeUndefined();
    expect(solver.dns01?.route53).toEqual({ region: 'eu-west-1', hostedZoneID: 'Z111' });
    expect(solver.selector?.dnsZones).toEqual(['preview.acme.dev']);
    expect(issuer.spec!.acme!.email).toBe('ops@acme.dev');
    expect(cert.spec!.dnsNames).toEqual(['*.preview.acme.dev']);
    expect(cert.spec!.issuerRef).toEqual({
      group: 'cert-manager.io',
      kind: 'ClusterIssuer',
      name: issuer.metadata!.name,
    });
    expect(cert.spec!.secretTemplate?.annotations?.['reflector.v1.k8s.emberstack.com/reflection-auto-namespaces']).toBe(
      'preview-pr-[0-9]+',
    );

    // The preview chart's Ingress for PR 7: ExternalDNS publishes its host, the wildcard covers it,
    // and the TLS Secret it names is the one the Certificate writes (reflected into the namespace).
    const [ingress] = (
      await template(preview, ['--set', 'ingress.host=app-pr-7.preview.acme.dev', '--set', 'image.tag=x'])
    ).filter((d) => d.kind === 'Ingress');
    expect(ingress.metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe('app-pr-7.preview.acme.dev');
    expect(ingress.metadata.annotations['external-dns.alpha.kubernetes.io/ttl']).toBe('60');
    expect(ingress.spec.tls[0]).toEqual({ hosts: ['app-pr-7.preview.acme.dev'], secretName: cert.spec!.secretName });
    expect(covers(cert.spec!.dnsNames![0]!, ingress.spec.rules[0].host)).toBe(true);
    expect(covers('*.preview.acme.dev', 'app.pr-7.preview.acme.dev')).toBe(false);
  });

  it('cloudflare DNS-01 and the default-certificate distribution; a wildcard DNS record instead of ExternalDNS', async () => {
    const docs = await template(platform, [
      '--set',
      'dns01.provider=cloudflare',
      '--set',
      'certificate.distribution=default-certificate',
    ]);
    const issuer = new ClusterIssuer(docs.find((d) => d.kind === 'ClusterIssuer'));
    issuer.validate();
    expect(issuer.spec!.acme!.solvers![0]!.dns01?.cloudflare?.apiTokenSecretRef).toEqual({
      name: 'cloudflare-api-token',
      key: 'api-token',
    });
    const cert = new Certificate(docs.find((d) => d.kind === 'Certificate'));
    cert.validate();
    expect(cert.spec!.secretTemplate).toBeUndefined();
    const [ingress] = (
      await template(preview, ['--set', 'dns.externalDns.enabled=false', '--set', 'ingress.tlsSecretName='])
    ).filter((d) => d.kind === 'Ingress');
    expect(Object.keys(ingress.metadata.annotations ?? {}).filter((k) => k.startsWith('external-dns'))).toEqual([]);
    expect(ingress.spec.tls[0].secretName).toBeUndefined();
  });

  it('refuses an HTTP-01-only provider, an unknown distribution and a domain that is not a DNS name, naming the value', async () => {
    for (const [args, message] of [
      [['--set', 'dns01.provider=http01'], 'dns01.provider must be route53 or cloudflare, got "http01"'],
      [
        ['--set', 'certificate.distribution=copy'],
        'certificate.distribution must be reflector or default-certificate, got "copy"',
      ],
      [
        ['--set', 'domain=*.preview.example.com'],
        'domain must be a DNS name like preview.example.com, got "*.preview.example.com"',
      ],
    ] as const) {
      const err = await run(helm, ['template', 'x', platform, ...args]).then(
        () => undefined,
        (e: { stderr: string }) => e.stderr,
      );
      expect(err, args.join(' ')).toContain(message);
    }
  });
});
