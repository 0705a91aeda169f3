import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, fromVaultMetadata, newMarks } from '@preview-fleet/core';
import {
  loginVault,
  sanitizeVaultError,
  seedSecrets,
  VaultRequestError,
  type SeedOptions,
} from '@preview-fleet/core/vault';
import { readBody, startLoopbackServer } from '@preview-fleet/sandbox/http/server';
import { STAGE, startWorld, type World } from './fixture.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w.stop());

const seedOpts = (pr: number): SeedOptions => ({
  mount: 'secret',
  kvVersion: 2,
  sourcePath: 'stage/app',
  targetPath: `preview/app-${pr}`,
  allowedPrefix: 'preview/',
  overrides: { OVERRIDE: 'ov3rride-value-xyz' },
  marks: newMarks({ repository: 'acme/web', pr, now: 0 }),
});

/** Everything an error could show: message, hint, enumerable fields, cause chain, inspect output. */
function everything(err: unknown): string {
  return `${inspect(err, { depth: 8, showHidden: true })}\n${JSON.stringify(err)}\n${String((err as Error).message)}`;
}

describe('Vault errors and retries', () => {
  it('sealed Vault: retried on 503 with the injected clock, then a clear error', async () => {
    const clock = new FakeClock();
    const session = await loginVault({ addr: w.vault.url, method: 'token', token: w.vault.rootToken, clock });
    w.vault.seal();
    const err = await seedSecrets(session, seedOpts(40)).then(
      () => expect.unreachable(),
      (e: unknown) => e,
    );
    w.vault.unseal();
    expect(err).toBeInstanceOf(VaultRequestError);
    expect((err as Error).message).toMatch(/failed: HTTP 503 \(Vault is sealed\)/);
    expect((err as VaultRequestError).hint).toMatch(/sealed or unavailable/);
    expect(clock.sleeps).toHaveLength(4);
    expect(w.vault.readRaw('secret', 'preview/app-40')).toBeUndefined();
  });

  it('a transient 503 on the create is retried and the copy is made once', async () => {
    const clock = new FakeClock();
    const session = await loginVault({ addr: w.vault.url, method: 'token', token: w.vault.rootToken, clock });
    w.vault.injectFault({ pathPattern: /\/data\/preview\/app-41$/, method: 'POST', status: 503, times: 2 });
    expect(await seedSecrets(session, seedOpts(41))).toEqual({ created: true, keyCount: 4 });
    expect(clock.sleeps).toHaveLength(2);
    expect(w.vault.readRaw('secret', 'preview/app-41').metadata.current_version).toBe(1);
  });

  it("a CAS-0 create that lands with its reply lost: the retry's CAS mismatch finishes the job (marks written, created)", async () => {
    const clock = new FakeClock();
    const session = await loginVault({ addr: w.vault.url, method: 'token', token: w.vault.rootToken, clock });
    w.vault.injectFault({ pathPattern: /\/data\/preview\/app-44$/, method: 'POST', dropReply: true, times: 1 });
    expect(await seedSecrets(session, seedOpts(44))).toEqual({ created: true, keyCount: 4, finishedMarks: true });
    expect(clock.sleeps).toHaveLength(1);
    const raw = w.vault.readRaw('secret', 'preview/app-44');
    expect(raw.metadata.current_version).toBe(1);
    expect(fromVaultMetadata(raw.metadata.custom_metadata)).toMatchObject({ repository: 'acme/web', pr: 44 });
    // the next run reuses it
    expect(await seedSecrets(session, seedOpts(44))).toEqual({ created: false, keyCount: 4 });
  });

  it('a connection dropped mid-write leaves no request body, value or token in the error', async () => {
    const token = 'hvs.CAESIDroppedConnToken123';
    const fake = await startLoopbackServer(async (req, res) => {
      await readBody(req);
      const url = req.url ?? '';
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.includes('lookup-self')) return json(200, { data: { id: 'x' } });
      if (req.method === 'GET' && url.includes('/metadata/')) return json(404, { errors: [] });
      if (req.method === 'GET') return json(200, { data: { data: STAGE, metadata: { version: 1 } } });
      req.socket.destroy();
    });
    try {
      const session = await loginVault({
        addr: fake.url,
        method: 'token',
        token,
        clock: new FakeClock(),
        retry: { attempts: 2 },
      });
      const err = await seedSecrets(session, seedOpts(42)).then(
        () => expect.unreachable(),
        (e: unknown) => e,
      );
      expect((err as Error).message).toMatch(
        /create \(cas=0\) of secret\/data\/preview\/app-42 failed: (ECONNRESET|network error)/,
      );
      const shown = everything(err);
      for (const secret of [token, STAGE.API_KEY, STAGE.DB_URL, 'MIIBstageLineOne9x8', 'ov3rride-value-xyz'])
        expect(shown).not.toContain(secret);
    } finally {
      await fake.close();
    }
  });

  it("sanitizeVaultError keeps status, code and Vault's message only", () => {
    const axiosLike = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      config: { data: '{"data":{"PW":"hunter2-secret"}}', headers: { 'X-Vault-Token': 'hvs.tok' } },
    });
    const e = sanitizeVaultError(axiosLike, 'write of secret/data/preview/x');
    expect(e.message).toBe('Vault write of secret/data/preview/x failed: ECONNRESET');
    expect(everything(e)).not.toMatch(/hunter2|hvs\.tok/);
    const api = Object.assign(new Error('1 error occurred:\n\t* permission denied\n\n'), {
      response: { statusCode: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } },
    });
    expect(sanitizeVaultError(api, 'read of a').message).toBe('Vault read of a failed: HTTP 403 (permission denied)');
  });
});

describe('permission errors name the policy rule', () => {
  it('403 on the source names the read rule, nothing written', async () => {
    w.vault.writePolicy('no-stage', [
      { path: 'secret/data/preview/*', capabilities: ['create', 'read', 'update'] },
      { path: 'secret/metadata/preview/*', capabilities: ['read', 'update'] },
    ]);
    const session = await loginVault({
      addr: w.vault.url,
      method: 'token',
      token: w.vault.createToken(['no-stage']),
      clock: new FakeClock(),
    });
    const err = await seedSecrets(session, seedOpts(43)).then(
      () => expect.unreachable(),
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe(
      'Vault read of source secret/data/stage/app failed: HTTP 403 (permission denied)',
    );
    expect((err as VaultRequestError).hint).toContain('path "secret/data/stage/app" { capabilities = ["read"] }');
    expect(w.vault.readRaw('secret', 'preview/app-43')).toBeUndefined();
  });
});
