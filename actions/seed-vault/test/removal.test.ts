import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, newMarks, toVaultMetadata } from '@preview-fleet/core';
import {
  listMarkedPaths,
  loginVault,
  removeVaultPath,
  seedSecrets,
  type VaultSession,
} from '@preview-fleet/core/vault';
import { REPOSITORY, STAGE, startWorld, type World } from './fixture.js';

let w: World;
let session: VaultSession;
const owner = { repository: REPOSITORY, pr: 7 };
const marks = (pr: number, repository = REPOSITORY) =>
  newMarks({ repository, pr, service: 'app', now: Date.parse('2026-01-01T00:00:00Z'), ttlMs: 3600_000 });

beforeAll(async () => {
  w = await startWorld();
  session = await loginVault({
    addr: w.vault.url,
    method: 'token',
    token: w.vault.createToken(['preview', 'preview-kv1']),
    clock: new FakeClock(),
  });
  const seed = (pr: number, m = marks(pr)) =>
    seedSecrets(session, {
      mount: 'secret',
      kvVersion: 2,
      sourcePath: 'stage/app',
      targetPath: `preview/app-${pr}`,
      allowedPrefix: 'preview/',
      overrides: {},
      marks: m,
    });
  expect(await seed(7)).toEqual({ created: true, keyCount: 3 });
  await seed(70);
  await seed(71, marks(71, 'other/repo'));
  await w.root.write('secret/data/preview/look-alike-7', { data: { A: '1' } });
  await w.root.write('secret/metadata/preview/look-alike-7', { custom_metadata: { 'preview-fleet.dev/pr': '7' } });
  await w.root.write('secret/data/preview/nested/app-7', { data: { A: '1' } });
  await w.root.write('secret/metadata/preview/nested/app-7', { custom_metadata: toVaultMetadata(marks(7)) });
});
afterEach(() => expect(w.vault.contractViolations).toEqual([]));
afterAll(async () => w.stop());

describe('removeVaultPath / listMarkedPaths (KV v2 custom_metadata marks, KV v1 marker entries)', () => {
  it('lists only paths marked for this repository, recursing into folders', async () => {
    const found = await listMarkedPaths(session, { mount: 'secret', prefix: 'preview', repository: REPOSITORY });
    expect(found.map((f) => [f.path, f.marks.pr])).toEqual([
      ['preview/app-7', 7],
      ['preview/app-70', 70],
      ['preview/nested/app-7', 7],
    ]);
    expect(
      await listMarkedPaths(session, { mount: 'secret', prefix: 'preview/none/', repository: REPOSITORY }),
    ).toEqual([]);
  });

  it('deletes only what is marked for this repository and PR; a second call is already-gone', async () => {
    const remove = (path: string, pr = 7) =>
      removeVaultPath(session, {
        mount: 'secret',
        kvVersion: 2,
        path,
        owner: { ...owner, pr },
        allowedPrefix: 'preview/',
      });
    expect(await remove('preview/look-alike-7')).toMatchObject({
      kind: 'vault-path',
      status: 'skipped-unmarked',
      reason: 'no preview-fleet marks in custom_metadata',
    });
    expect(await remove('preview/app-71', 71)).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'marked for other/repo#71, not acme/web#71',
    });
    expect(await remove('preview/app-70')).toMatchObject({ status: 'skipped-unmarked' });
    expect(await remove('stage/app')).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'outside the allowed prefix "preview/"',
    });
    expect(await remove('preview/app-7')).toEqual({
      kind: 'vault-path',
      name: 'secret/preview/app-7',
      status: 'deleted',
    });
    expect(await remove('preview/app-7')).toMatchObject({ status: 'already-gone' });
    expect(w.vault.readRaw('secret', 'preview/app-7')).toBeUndefined();
    for (const kept of ['preview/look-alike-7', 'preview/app-70', 'preview/app-71', 'stage/app'])
      expect(w.vault.readRaw('secret', kept), kept).toBeDefined();
  });

  it("KV v1: deletes only a path whose marker entry is this repository's and PR's, data first, marker last", async () => {
    await seedSecrets(session, {
      mount: 'kv1',
      kvVersion: 1,
      sourcePath: 'stage/app',
      targetPath: 'preview/app-7',
      allowedPrefix: 'preview/',
      overrides: {},
      marks: marks(7),
    });
    await seedSecrets(session, {
      mount: 'kv1',
      kvVersion: 1,
      sourcePath: 'stage/app',
      targetPath: 'preview/deep/app-8',
      allowedPrefix: 'preview/',
      overrides: {},
      marks: marks(8),
    });
    await w.root.write('kv1/preview/unmarked-7', { A: 'hand-made' });
    await w.root.write('kv1/preview/theirs-7', { A: 'theirs' });
    await w.root.write('kv1/preview/theirs-7.preview-fleet-marks', toVaultMetadata(marks(7, 'other/repo')));
    const found = await listMarkedPaths(session, {
      mount: 'kv1',
      kvVersion: 1,
      prefix: 'preview/',
      repository: REPOSITORY,
    });
    expect(found.map((f) => [f.path, f.marks.pr])).toEqual([
      ['preview/app-7', 7],
      ['preview/deep/app-8', 8],
    ]);

    const remove = (path: string, pr = 7) =>
      removeVaultPath(session, {
        mount: 'kv1',
        kvVersion: 1,
        path,
        owner: { ...owner, pr },
        allowedPrefix: 'preview/',
      });
    expect(await remove('stage/app')).toMatchObject({ status: 'skipped-unmarked' });
    expect(await remove('preview/unmarked-7')).toMatchObject({
      status: 'skipped-unmarked',
      reason: expect.stringMatching(/no preview-fleet marker entry kv1\/preview\/unmarked-7\.preview-fleet-marks/),
    });
    expect(await remove('preview/theirs-7')).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'marked for other/repo#7, not acme/web#7',
    });
    expect(await remove('preview/app-7', 8)).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'marked for acme/web#7, not acme/web#8',
    });
    expect(await remove('preview/app-7.preview-fleet-marks')).toMatchObject({ status: 'skipped-unmarked' });
    expect(await remove('preview/app-7')).toMatchObject({ status: 'deleted' });
    expect(await remove('preview/app-7')).toMatchObject({ status: 'already-gone' });
    expect(w.vault.readRaw('kv1', 'preview/app-7')).toBeUndefined();
    expect(w.vault.readRaw('kv1', 'preview/app-7.preview-fleet-marks')).toBeUndefined();
    for (const kept of ['preview/unmarked-7', 'preview/theirs-7', 'preview/theirs-7.preview-fleet-marks'])
      expect(w.vault.readRaw('kv1', kept), kept).toBeDefined();
    expect(w.vault.readRaw('kv1', 'stage/app')).toEqual(STAGE);
  });

  it('a Vault failure is reported as failed with a value-free reason, not thrown', async () => {
    w.vault.injectFault({ pathPattern: /\/metadata\/preview\/app-70$/, status: 500 });
    const r = await removeVaultPath(session, {
      mount: 'secret',
      kvVersion: 2,
      path: 'preview/app-70',
      owner: { ...owner, pr: 70 },
      allowedPrefix: 'preview/',
    });
    w.vault.clearFaults();
    expect(r).toMatchObject({ status: 'failed' });
    expect(r.reason).toMatch(/^Vault metadata read of secret\/metadata\/preview\/app-70 failed: HTTP 500/);
  });
});
