/**
 * Operator modes (issue 16 part 1), runner-style through the bundle with the real helm 4: with
 * `secret-sync: vault-secrets-operator` / `external-secrets` the example chart renders a
 * VaultStaticSecret / ExternalSecret valid against the upstream CRDs, and the sandbox's operator
 * controller (reading the Vault stand-in) writes the app's Secret. An edit in Vault rolls the pods
 * with no workflow run (VSO's rolloutRestartTargets); deploy-helm itself writes no `-env` Secret.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMarks, toVaultMetadata } from '@preview-fleet/core';
import { startVault, type VaultStandIn } from '@preview-fleet/sandbox/vault';
import {
  RESTARTED_AT,
  startVaultSecretsController,
  type VaultSecretsController,
} from '@preview-fleet/sandbox/kube/controllers/vault-secrets';
import { crdValidator, describeErrors } from '@preview-fleet/testkit/crd-schema';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { deploy, ok, openPr, useWorld } from './deploy-helm-suite.js';
import { REPOSITORY } from './fixture.js';

const world = useWorld();
const CHART = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const API_KEY = 'operator-api-key-4e5f6a7b';
const EDITED = 'operator-api-key-edited-8c9d';

let vault: VaultStandIn;
let operator: VaultSecretsController;
beforeAll(async () => {
  vault = await startVault();
  operator = startVaultSecretsController(world().kube.store, { url: vault.url, token: vault.rootToken });
});
afterAll(async () => {
  operator?.stop();
  await vault?.stop();
});

async function seedPrCopy(pr: number, data: Record<string, string>): Promise<void> {
  for (const [path, body] of [
    [`secret/data/preview/app-${pr}`, { data }],
    [
      `secret/metadata/preview/app-${pr}`,
      {
        custom_metadata: toVaultMetadata(
          newMarks({ repository: REPOSITORY, pr, service: 'app', now: Date.now(), ttlMs: 3600_000 }),
        ),
      },
    ],
  ] as const) {
    const res = await fetch(`${vault.url}/v1/${path}`, {
      method: 'POST',
      headers: { 'x-vault-token': vault.rootToken },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
  }
}

const inputs = (mode: string, values = '') => ({
  chart: CHART,
  'vault-addr': vault.url,
  'auth-method': 'token',
  token: vault.rootToken,
  'secret-sync': mode,
  values: `postgresql:\n  enabled: false\nseed:\n  enabled: false\ningress:\n  enabled: false\n${values}`,
});

const store = () => world().kube.store;
const get = (kind: string, ns: string, name: string): any => store().get(store().types.byKind(kind)!, ns, name);
const decoded = (s: any): Record<string, string> =>
  Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));
const replicaSets = (ns: string) =>
  store()
    .list(store().types.get('apps', 'v1', 'replicasets')!, ns)
    .map((r) => r.metadata.name)
    .sort();

describe('deploy-helm operator modes (sandbox operator controller)', () => {
  it('vault-secrets-operator: a valid VaultStaticSecret; the controller writes the Secret; a Vault edit rolls the pods with no workflow run', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const release = `app-pr-${pr.number}`;
    await seedPrCopy(pr.number, { API_KEY });
    const r = ok(await deploy(4, pr, inputs('vault-secrets-operator'), undefined, [API_KEY, vault.rootToken]));
    expect(r.log).toContain(
      `secret-sync vault-secrets-operator: the chart's VaultStaticSecret syncs secret/preview/app-${pr.number} into ${release}-env`,
    );
    const vss = get('VaultStaticSecret', ns, `${release}-env`);
    expect(
      describeErrors(
        crdValidator(
          'vso.vaultstaticsecrets.yaml',
          'v1beta1',
        )({ apiVersion: vss.apiVersion, kind: vss.kind, metadata: { name: vss.metadata.name }, spec: vss.spec }),
      ),
    ).toEqual([]);
    expect(vss.spec).toMatchObject({
      mount: 'secret',
      path: `preview/app-${pr.number}`,
      type: 'kv-v2',
      destination: { name: `${release}-env`, create: true, transformation: { excludes: ['^PREVIEW_BASIC_AUTH_'] } },
    });
    await operator.idle();
    const secret = get('Secret', ns, `${release}-env`);
    // The login deploy-helm keeps in the same path is excluded (VSO's transformation.excludes).
    expect(decoded(secret)).toEqual({ API_KEY });
    expect(get('Secret', ns, `${release}-basic-auth`)).toBeDefined();
    // Written by the operator (owned by the VaultStaticSecret), not by deploy-helm.
    expect(secret.metadata.ownerReferences[0]).toMatchObject({ kind: 'VaultStaticSecret', name: `${release}-env` });
    expect(secret.metadata.annotations?.['preview-fleet.dev/data-checksum']).toBeUndefined();
    const before = replicaSets(ns);
    expect(before).toHaveLength(1);

    await operator.resync();
    expect(replicaSets(ns)).toEqual(before);

    // The PR's login lives in the same path: keep it (deploy-helm wrote it) while editing the app's value.
    const current = (await (
      await fetch(`${vault.url}/v1/secret/data/preview/app-${pr.number}`, {
        headers: { 'x-vault-token': vault.rootToken },
      })
    ).json()) as any;
    await seedPrCopy(pr.number, { ...current.data.data, API_KEY: EDITED });
    await operator.resync();
    expect(decoded(get('Secret', ns, `${release}-env`)).API_KEY).toBe(EDITED);
    expect(get('Deployment', ns, release).spec.template.metadata.annotations[RESTARTED_AT]).toMatch(/^\d{4}-/);
    await world().kube.controllers!.idle();
    expect(replicaSets(ns)).toHaveLength(2);
    expect(operator.errors).toEqual([]);
  });

  it("external-secrets: a valid ExternalSecret; the controller extracts the PR's Vault copy into secretRef", async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const release = `app-pr-${pr.number}`;
    await seedPrCopy(pr.number, { API_KEY });
    ok(
      await deploy(
        4,
        pr,
        inputs('external-secrets', 'vault:\n  externalSecret:\n    storeRef: vault-preview\n'),
        undefined,
        [API_KEY, vault.rootToken],
      ),
    );
    const es = get('ExternalSecret', ns, `${release}-env`);
    expect(
      describeErrors(
        crdValidator(
          'eso.externalsecrets.yaml',
          'v1',
        )({ apiVersion: es.apiVersion, kind: es.kind, metadata: { name: es.metadata.name }, spec: es.spec }),
      ),
    ).toEqual([]);
    await operator.idle();
    const app = decoded(get('Secret', ns, `${release}-env`));
    expect(app.API_KEY).toBe(API_KEY);
    // ESO extracts the whole path: the preview's login reaches the app's Secret too (documented).
    expect(Object.keys(app).sort()).toEqual(['API_KEY', 'PREVIEW_BASIC_AUTH_PASSWORD', 'PREVIEW_BASIC_AUTH_USER']);
    expect(get('Deployment', ns, release).spec.template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: `${release}-env` } },
    ]);
    expect(operator.errors).toEqual([]);
  });
});
