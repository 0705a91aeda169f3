/**
 * The example chart as the real helm 3.17.3 and 4.1.4 judge it: `helm lint --strict` and
 * `helm template` with the values deploy-helm generates (image, host), checking the rendered
 * kinds a full-stack preview needs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { crdValidator, describeErrors } from '@preview-fleet/testkit/crd-schema';

const run = promisify(execFile);
const chart = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const values = [
  '--set',
  'image.repository=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-7',
  '--set',
  'image.tag=preview-abc123',
  '--set',
  'ingress.host=app-pr-7.preview.example.com',
];

describe.each([
  ['helm 3', 'v31'],
  ['helm 4', 'v34'],
] as const)('example chart with %s', (_name, set) => {
  const helm = toolPaths()[set].helm;

  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', chart, ...values]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders the app, a per-PR PostgreSQL, the seed hook Job and an Ingress on the PR host', async () => {
    const { stdout } = await run(helm, ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const docs = parseAllDocuments(stdout)
      .map(
        (d) =>
          d.toJS() as { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any },
      )
      .filter(Boolean);
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'Ingress', 'StatefulSet', 'Job']));
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-7:preview-abc123',
    );
    expect(deployment.spec.template.spec.containers[0].readinessProbe).toBeDefined();
    const ingress = docs.find((d) => d.kind === 'Ingress')!;
    expect(ingress.spec.rules[0].host).toBe('app-pr-7.preview.example.com');
    expect(ingress.spec.tls[0].hosts).toContain('app-pr-7.preview.example.com');
    const seed = docs.find((d) => d.kind === 'Job')!;
    expect(seed.metadata.annotations?.['helm.sh/hook']).toMatch(/post-install/);
    expect(kinds).not.toContain('VaultStaticSecret');
  });

  it('scaleToZero (issue 19): on a cluster with the KEDA HTTP add-on, an HTTPScaledObject valid against its CRD and the Ingress through the interceptor', async () => {
    const render = async (...extra: string[]) =>
      parseAllDocuments(
        (
          await run(helm, ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values, ...extra], {
            maxBuffer: 16 * 1024 * 1024,
          })
        ).stdout,
      )
        .map((d) => d.toJS() as any)
        .filter(Boolean);
    const docs = await render('--api-versions', 'http.keda.sh/v1alpha1/HTTPScaledObject');
    const hso = docs.find((d) => d.kind === 'HTTPScaledObject');
    expect(describeErrors(crdValidator('keda-http.httpscaledobjects.yaml', 'v1alpha1')(hso))).toEqual([]);
    expect(hso.spec).toMatchObject({
      hosts: ['app-pr-7.preview.example.com'],
      pathPrefixes: ['/'],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app-pr-7', service: 'app-pr-7', port: 80 },
      replicas: { min: 0, max: 2 },
      scaledownPeriod: 1800,
      scalingMetric: { concurrency: { targetValue: 100 } },
    });
    const app = docs.find((d) => d.kind === 'Deployment');
    expect(app.spec.replicas).toBeUndefined(); // KEDA owns the count: an upgrade neither wakes nor stops it
    const proxy = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'app-pr-7-interceptor');
    expect(proxy.spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local',
    });
    const ingress = docs.find((d) => d.kind === 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: 'app-pr-7-interceptor',
      port: { number: 8080 },
    });
    // PostgreSQL keeps running with its claim: a sleep never loses the PR's data.
    const db = docs.find((d) => d.kind === 'StatefulSet');
    expect(db.spec.replicas).toBe(1);
    expect(db.spec.volumeClaimTemplates).toHaveLength(1);
    // Without the add-on the app stays up, served directly.
    const plain = await render();
    expect(plain.map((d) => d.kind)).not.toContain('HTTPScaledObject');
    expect(plain.find((d) => d.kind === 'Deployment').spec.replicas).toBe(1);
    expect(plain.find((d) => d.kind === 'Ingress').spec.rules[0].http.paths[0].backend.service.name).toBe('app-pr-7');
  });

  it('spot (issue 19 §3): off by default; on, the app and seed Job get the spot nodeSelector and tolerations', async () => {
    const render = async (...set: string[]) =>
      parseAllDocuments(
        (
          await run(helm, ['template', 'app-pr-7', chart, ...values, ...set.flatMap((s) => ['--set', s])], {
            maxBuffer: 16 * 1024 * 1024,
          })
        ).stdout,
      )
        .map((d) => d.toJS() as any)
        .filter(Boolean);
    const pods = (docs: any[]) =>
      Object.fromEntries(docs.filter((d) => d.spec?.template?.spec).map((d) => [d.kind, d.spec.template.spec]));
    const off = pods(await render());
    expect(off.Deployment.nodeSelector).toBeUndefined();
    expect(off.Job.tolerations).toBeUndefined();
    const on = pods(
      await render('spot.enabled=true', 'spot.tolerations[0].key=spot', 'spot.tolerations[0].operator=Exists'),
    );
    for (const kind of ['Deployment', 'Job']) {
      expect(on[kind].nodeSelector).toEqual({ 'eks.amazonaws.com/capacityType': 'SPOT' });
      expect(on[kind].tolerations).toEqual([{ key: 'spot', operator: 'Exists' }]);
    }
    expect(on.StatefulSet.nodeSelector).toBeUndefined(); // the database stays on on-demand nodes unless spot.database
  });

  it("with the ApplicationSet's values, a VaultStaticSecret valid against VSO's CRD creates secretRef from the PR's Vault copy", async () => {
    const set = [
      '--set',
      'secretRef=app-pr-7-env',
      '--set',
      'vault.staticSecret.enabled=true',
      '--set',
      'vault.staticSecret.path=preview/app-7',
      '--set',
      'vault.staticSecret.authRef=argocd/preview-fleet',
    ];
    const { stdout } = await run(
      helm,
      ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values, ...set],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const docs = parseAllDocuments(stdout)
      .map((d) => d.toJS() as any)
      .filter(Boolean);
    const vss = docs.find((d) => d.kind === 'VaultStaticSecret');
    expect(describeErrors(crdValidator('vso.vaultstaticsecrets.yaml', 'v1beta1')(vss))).toEqual([]);
    expect(vss.spec).toMatchObject({
      type: 'kv-v2',
      mount: 'secret',
      path: 'preview/app-7',
      vaultAuthRef: 'argocd/preview-fleet',
      destination: { name: 'app-pr-7-env', create: true },
    });
    const app = docs.find((d) => d.kind === 'Deployment');
    expect(app.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'app-pr-7-env' } }]);
    expect(vss.spec.rolloutRestartTargets).toEqual([{ kind: 'Deployment', name: app.metadata.name }]);
    const noRef = await run(helm, [
      'template',
      'app-pr-7',
      chart,
      ...values,
      '--set',
      'vault.staticSecret.enabled=true',
      '--set',
      'vault.staticSecret.path=preview/app-7',
    ]).catch((e: { stderr: string }) => e);
    expect((noRef as { stderr: string }).stderr).toContain('vault.staticSecret.enabled needs secretRef');
  });

  it("external-secrets: an ExternalSecret valid against ESO's v1 CRD extracts the PR's Vault copy into secretRef (issue 16 part 1)", async () => {
    const set = [
      'secretRef=app-pr-7-env',
      'vault.externalSecret.enabled=true',
      'vault.externalSecret.path=preview/app-7',
      'vault.externalSecret.storeRef=vault-preview',
    ];
    const { stdout } = await run(
      helm,
      ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values, ...set.flatMap((s) => ['--set', s])],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const docs = parseAllDocuments(stdout)
      .map((d) => d.toJS() as any)
      .filter(Boolean);
    const es = docs.find((d) => d.kind === 'ExternalSecret');
    expect(describeErrors(crdValidator('eso.externalsecrets.yaml', 'v1')(es))).toEqual([]);
    expect(es.spec).toEqual({
      refreshInterval: '1m',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-preview' },
      target: { name: 'app-pr-7-env', creationPolicy: 'Owner' },
      dataFrom: [{ extract: { key: 'preview/app-7' } }],
    });
    expect(docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: 'app-pr-7-env' } },
    ]);
    const noStore = await run(helm, [
      'template',
      'app-pr-7',
      chart,
      ...values,
      ...set.slice(0, 3).flatMap((s) => ['--set', s]),
    ]).catch((e: { stderr: string }) => e);
    expect((noStore as { stderr: string }).stderr).toContain('vault.externalSecret.storeRef must name');
  });
});

describe('example chart access modes (issue 16 part 2), helm 4', () => {
  const helm = toolPaths().v34.helm;
  const render = async (...set: string[]) => {
    const { stdout } = await run(
      helm,
      ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values, ...set.flatMap((s) => ['--set', s])],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return (
      (
        parseAllDocuments(stdout)
          .map((d) => d.toJS())
          .find((d: any) => d?.kind === 'Ingress') as any
      ).metadata.annotations ?? {}
    );
  };
  const N = 'nginx.ingress.kubernetes.io/';

  it('basic: auth-type, the per-release secret and realm — and it is the default (private unless a user says none)', async () => {
    expect(await render()).toMatchObject({ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'app-pr-7-basic-auth' });
    expect(await render('auth.mode=basic')).toMatchObject({
      [`${N}auth-type`]: 'basic',
      [`${N}auth-secret`]: 'app-pr-7-basic-auth',
      [`${N}auth-realm`]: 'Preview app-pr-7',
    });
  });
  it('external: auth-url and auth-signin', async () => {
    const a = await render(
      'auth.mode=external',
      'auth.external.url=https://sso.example.com/oauth2/auth',
      'auth.external.signin=https://sso.example.com/oauth2/start',
    );
    expect(a).toMatchObject({
      [`${N}auth-url`]: 'https://sso.example.com/oauth2/auth',
      [`${N}auth-signin`]: 'https://sso.example.com/oauth2/start',
    });
  });
  it('allowlist: whitelist-source-range', async () => {
    expect(
      await render('auth.mode=allowlist', 'auth.allowlist.sourceRanges={10.8.0.0/16,192.168.1.0/24}'),
    ).toMatchObject({ [`${N}whitelist-source-range`]: '10.8.0.0/16,192.168.1.0/24' });
  });
  it('none: no access annotations; a mode without its settings or an unknown mode fails the render', async () => {
    expect(Object.keys(await render('auth.mode=none')).filter((k) => k.startsWith(N))).toEqual([]);
    await expect(render('auth.mode=external')).rejects.toThrow(/auth.mode external needs auth.external.url/);
    await expect(render('auth.mode=allowlist')).rejects.toThrow(/needs auth.allowlist.sourceRanges/);
    await expect(render('auth.mode=bypass-header')).rejects.toThrow(/must be basic, external, allowlist or none/);
  });
});
