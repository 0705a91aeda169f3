import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, fromVaultMetadata, newMarks, toVaultMetadata } from '@preview-fleet/core';
import { loginVault, renewVaultExpiry, seedSecrets, type VaultSession } from '@preview-fleet/core/vault';
import { REPOSITORY, startWorld, type World } from '@preview-fleet/action-seed-vault/test/fixture';

let w: World;
let session: VaultSession;
const H = 3_600_000;
const at = (iso: string, pr = 31, sha = 'a'.repeat(40), repository = REPOSITORY) =>
  newMarks({ repository, pr, service: 'app', headSha: sha, now: Date.parse(iso), ttlMs: 72 * H });
const marksOf = (path: string) =>
  fromVaultMetadata(w.vault.readRaw('secret', path)?.metadata.custom_metadata as Record<string, string> | undefined);

beforeAll(async () => {
  w = await startWorld();
  session = await loginVault({
    addr: w.vault.url,
    method: 'token',
    token: w.vault.createToken(['preview']),
    clock: new FakeClock(),
  });
});
afterEach(() => expect(w.vault.contractViolations).toEqual([]));
afterAll(async () => w.stop());

describe('renewVaultExpiry (seed-vault reusing a copy renews its expires-at)', () => {
  it('moves expires-at forward and records the head SHA; created-at, data and foreign keys stay; never backwards', async () => {
    const first = at('2026-01-01T00:00:00Z');
    await seedSecrets(session, {
      mount: 'secret',
      kvVersion: 2,
      sourcePath: 'stage/app',
      targetPath: 'preview/app-31',
      allowedPrefix: 'preview/',
      overrides: {},
      marks: first,
    });
    await w.root.write('secret/metadata/preview/app-31', {
      custom_metadata: { ...toVaultMetadata(first), team: 'payments' },
    });
    const data = w.vault.readRaw('secret', 'preview/app-31');
    expect(
      await renewVaultExpiry(session, {
        mount: 'secret',
        path: 'preview/app-31',
        marks: at('2026-01-05T00:00:00Z', 31, 'b'.repeat(40)),
      }),
    ).toBe('renewed');
    expect(marksOf('preview/app-31')).toMatchObject({
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-08T00:00:00.000Z',
      headSha: 'b'.repeat(40),
    });
    expect(w.vault.readRaw('secret', 'preview/app-31')?.metadata.custom_metadata).toMatchObject({ team: 'payments' });
    expect(w.vault.readRaw('secret', 'preview/app-31')).toMatchObject({ data: data.data, metadata: { versions: 1 } });
    expect(
      await renewVaultExpiry(session, {
        mount: 'secret',
        path: 'preview/app-31',
        marks: at('2026-01-02T00:00:00Z', 31, 'b'.repeat(40)),
      }),
    ).toBe('current');
    expect(marksOf('preview/app-31')!.expiresAt).toBe('2026-01-08T00:00:00.000Z');
  });

  it('leaves a path marked for another PR or repository, an unmarked path and a missing path as found', async () => {
    await w.root.write('secret/data/preview/app-32', { data: { A: '1' } });
    await w.root.write('secret/metadata/preview/app-32', {
      custom_metadata: toVaultMetadata(at('2026-01-01T00:00:00Z', 32, 'a'.repeat(40), 'other/repo')),
    });
    await w.root.write('secret/data/preview/app-33', { data: { A: '1' } });
    const later = (pr: number) => at('2026-02-01T00:00:00Z', pr);
    expect(await renewVaultExpiry(session, { mount: 'secret', path: 'preview/app-32', marks: later(32) })).toBe(
      'not-ours',
    );
    expect(marksOf('preview/app-32')).toMatchObject({
      repository: 'other/repo',
      expiresAt: '2026-01-04T00:00:00.000Z',
    });
    expect(await renewVaultExpiry(session, { mount: 'secret', path: 'preview/app-32', marks: later(99) })).toBe(
      'not-ours',
    );
    expect(await renewVaultExpiry(session, { mount: 'secret', path: 'preview/app-33', marks: later(33) })).toBe(
      'not-ours',
    );
    expect(marksOf('preview/app-33')).toBeUndefined();
    expect(await renewVaultExpiry(session, { mount: 'secret', path: 'preview/app-34', marks: later(34) })).toBe(
      'not-ours',
    );
  });
});
