/**
 * Vault values reach the pod (issue 16 part 1), runner-style through the bundle with the real
 * helm 4 + kubectl: deploy-helm reads the PR's marked Vault copy, server-side applies it as the
 * marked Secret `<release>-env`, passes its name under secretRef and its checksum into the pod
 * template. A Vault edit + re-run makes a new ReplicaSet; an unchanged re-run does not. Values
 * never reach the log, argv, outputs or the release's values.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMarks, toVaultMetadata, verifyHtpasswd } from '@preview-fleet/core';
import { BASIC_AUTH_KEYS } from '@preview-fleet/core/vault';
import { startVault, type VaultStandIn } from '@preview-fleet/sandbox/vault';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { deploy, errorOf, helmJson, ok, openPr, useWorld } from './deploy-helm-suite.js';
import { REPOSITORY } from './fixture.js';

const world = useWorld();
const CHART = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const API_KEY = 'pr-api-key-9f8e7d6c5b4a';
const EDITED = 'pr-api-key-edited-1a2b3c4d';

let vault: VaultStandIn;
beforeAll(async () => {
  vault = await startVault();
});
afterAll(async () => vault?.stop());

async function readKv(path: string): Promise<any> {
  const res = await fetch(`${vault.url}/v1/${path}`, { headers: { 'x-vault-token': vault.rootToken } });
  expect(res.status).toBe(200);
  return res.json();
}

async function kv(method: 'POST', path: string, body: unknown): Promise<void> {
  const res = await fetch(`${vault.url}/v1/${path}`, {
    method,
    headers: { 'x-vault-token': vault.rootToken },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

/** What seed-vault leaves: the PR's copy with this repository's and PR's marks. */
async function seedPrCopy(
  pr: number,
  data: Record<string, string>,
  marks = { repository: REPOSITORY, pr },
): Promise<void> {
  await kv('POST', `secret/data/preview/app-${pr}`, { data });
  await kv('POST', `secret/metadata/preview/app-${pr}`, {
    custom_metadata: toVaultMetadata(newMarks({ ...marks, service: 'app', now: Date.now(), ttlMs: 3600_000 })),
  });
}

const inputs = () => ({
  chart: CHART,
  'vault-addr': vault.url,
  'auth-method': 'token',
  token: vault.rootToken,
  values: 'postgresql:\n  enabled: false\nseed:\n  enabled: false\ningress:\n  enabled: false\n',
});

function replicaSets(ns: string): string[] {
  const store = world().kube.store;
  return store
    .list(store.types.get('apps', 'v1', 'replicasets')!, ns)
    .map((r) => r.metadata.name)
    .sort();
}

describe("deploy-helm: the PR's Vault copy as a marked Secret", () => {
  it('materialises it, references it from the pod template, and rolls the pods only when Vault changed', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const release = `app-pr-${pr.number}`;
    await seedPrCopy(pr.number, { API_KEY, FEATURE_FLAG: 'on' });

    const first = ok(await deploy(4, pr, inputs(), undefined, [API_KEY, vault.rootToken]));
    expect(first.masked).toContain(API_KEY);
    expect(first.log).not.toContain(API_KEY);
    const secret = world().get('secrets', ns, `${release}-env`)!;
    expect(Buffer.from((secret as any).data.API_KEY, 'base64').toString()).toBe(API_KEY);
    expect(secret.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'preview-fleet',
      'preview-fleet.dev/pr': String(pr.number),
    });
    expect(secret.metadata.annotations?.['preview-fleet.dev/vault-path']).toBe(`secret/preview/app-${pr.number}`);
    const dep = world().get('deployments', ns, release, 'apps') as any;
    expect(dep.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: `${release}-env` } }]);
    const checksum = dep.spec.template.metadata.annotations['preview-fleet.dev/secret-checksum'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    const values = await helmJson(4, ['get', 'values', release, '--namespace', ns]);
    expect(JSON.stringify(values)).not.toContain(API_KEY);
    const rs1 = replicaSets(ns);
    expect(rs1).toHaveLength(1);

    ok(await deploy(4, pr, inputs(), undefined, [API_KEY, vault.rootToken]));
    expect(replicaSets(ns)).toEqual(rs1);

    await seedPrCopy(pr.number, { API_KEY: EDITED, FEATURE_FLAG: 'on' });
    const edited = ok(await deploy(4, pr, inputs(), undefined, [EDITED, vault.rootToken]));
    expect(edited.log).not.toContain(EDITED);
    expect(Buffer.from((world().get('secrets', ns, `${release}-env`) as any).data.API_KEY, 'base64').toString()).toBe(
      EDITED,
    );
    const after = replicaSets(ns);
    expect(after).toHaveLength(2);
    expect(
      (world().get('deployments', ns, release, 'apps') as any).spec.template.metadata.annotations[
        'preview-fleet.dev/secret-checksum'
      ],
    ).not.toBe(checksum);
  });

  it("private by default (issue 16 part 2): a login generated into the PR's Vault path on the first deploy, kept by re-runs, written as the marked htpasswd Secret, never in the log, outputs or the app's Secret", async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    const release = `app-pr-${pr.number}`;
    await seedPrCopy(pr.number, { API_KEY });
    const first = ok(await deploy(4, pr, inputs(), undefined, [API_KEY, vault.rootToken]));
    const stored = await readKv(`secret/data/preview/app-${pr.number}`);
    const password = stored.data.data[BASIC_AUTH_KEYS.password] as string;
    expect(stored.data.data[BASIC_AUTH_KEYS.user]).toBe('preview');
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(stored.data.data.API_KEY).toBe(API_KEY);
    expect(first.masked).toContain(password);
    expect(first.log).not.toContain(password);
    expect(first.outputs['basic-auth-secret']).toBe(`${release}-basic-auth`);
    expect(first.outputs['basic-auth-location']).toBe(
      `Vault secret/preview/app-${pr.number}, keys ${BASIC_AUTH_KEYS.user} and ${BASIC_AUTH_KEYS.password}`,
    );
    const auth = world().get('secrets', ns, `${release}-basic-auth`) as any;
    const b64 = (v: string) => Buffer.from(v, 'base64').toString();
    expect(verifyHtpasswd(b64(auth.data.auth), 'preview', password)).toBe(true);
    expect(verifyHtpasswd(b64(auth.data.auth), 'preview', 'guess')).toBe(false);
    expect(auth.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'preview-fleet',
      'preview-fleet.dev/pr': String(pr.number),
    });
    expect(Object.keys((world().get('secrets', ns, `${release}-env`) as any).data)).toEqual(['API_KEY']);

    // A re-run keeps the login (no Vault write: same version) and rewrites the same htpasswd line.
    ok(await deploy(4, pr, inputs(), undefined, [API_KEY, vault.rootToken, password]));
    const again = await readKv(`secret/data/preview/app-${pr.number}`);
    expect(again.data.metadata.version).toBe(stored.data.metadata.version);
    expect((world().get('secrets', ns, `${release}-basic-auth`) as any).data.auth).toBe(auth.data.auth);
  });

  it("refuses a Vault path that is missing or not this PR's, creating nothing", async () => {
    const missing = openPr();
    const r1 = await deploy(4, missing, inputs(), undefined, [vault.rootToken]);
    expect(r1.exitCode).toBe(1);
    expect(errorOf(r1)).toContain(`Vault path secret/data/preview/app-${missing.number} does not exist`);
    expect(world().get('namespaces', undefined, `preview-pr-${missing.number}`)).toBeUndefined();

    const foreign = openPr();
    await seedPrCopy(foreign.number, { API_KEY }, { repository: 'other/repo', pr: foreign.number });
    const r2 = await deploy(4, foreign, inputs(), undefined, [API_KEY, vault.rootToken]);
    expect(r2.exitCode).toBe(1);
    expect(errorOf(r2)).toContain("is not this pull request's: it is marked for other/repo");
    expect(r2.log).not.toContain(API_KEY);
    expect(world().get('namespaces', undefined, `preview-pr-${foreign.number}`)).toBeUndefined();
  });
});
