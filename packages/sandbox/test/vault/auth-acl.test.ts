import nodeVault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestIdToken } from '@preview-fleet/core';
import { startOidc, type OidcStandIn } from '../../src/oidc/index.js';
import { previewPolicy, startVault, type VaultStandIn } from '../../src/vault/index.js';

let now = Date.parse('2026-03-01T12:00:00Z');
const clock = (): number => now;
let oidc: OidcStandIn;
let vault: VaultStandIn;

beforeAll(async () => {
  oidc = await startOidc({ claims: { repository: 'acme/web' }, clock });
  vault = await startVault({ oidc, clock });
  vault.writePolicy('preview', previewPolicy());
  vault.addJwtRole('preview', {
    policies: ['preview'],
    boundAudiences: ['vault'],
    boundClaims: { repository: 'acme/web' },
  });
  await root().write('secret/data/stage/app', { data: { A: '1' } });
  await root().write('secret/data/prod/app', { data: { A: 'prod' } });
});
afterEach(() => expect(vault.contractViolations).toEqual([]));
afterAll(async () => {
  await vault.stop();
  await oidc.stop();
});

const root = (): nodeVault.client =>
  nodeVault({ endpoint: vault.url, token: vault.rootToken, noCustomHTTPVerbs: true });
/** A client with no token, whatever VAULT_TOKEN a developer's shell exports. */
function anonymous(): nodeVault.client {
  const c = nodeVault({ endpoint: vault.url, noCustomHTTPVerbs: true });
  c.token = '';
  return c;
}

async function failure(p: Promise<unknown>): Promise<{ message: string; status: number; body: any }> {
  const err = (await p.then(
    () => expect.unreachable('expected a Vault error'),
    (e: unknown) => e,
  )) as Error & { response: { statusCode: number; body: any } };
  return { message: err.message, status: err.response.statusCode, body: err.response.body };
}

/** A token from the OIDC stand-in's HTTP endpoint, as the runner hands it out. */
async function githubToken(audience: string): Promise<string> {
  const res = await fetch(`${oidc.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${oidc.requestToken}` },
  });
  return ((await res.json()) as { value: string }).value;
}

describe('Vault stand-in: JWT login through the OIDC stand-in, and ACL policies', () => {
  it('logs in with a good GitHub token; the preview policy reads stage, writes preview, and is denied elsewhere', async () => {
    const c = anonymous();
    const login = await c.jwtLogin({ role: 'preview', jwt: await githubToken('vault') });
    expect(login.auth).toMatchObject({
      policies: ['default', 'preview'],
      metadata: { role: 'preview' },
      renewable: true,
    });
    expect(c.token).toBe(login.auth.client_token);

    const self = await c.tokenLookupSelf();
    expect(self.data).toMatchObject({
      policies: ['default', 'preview'],
      display_name: 'jwt-repo:acme/web:pull_request',
      path: 'auth/jwt/login',
    });

    expect((await c.read('secret/data/stage/app')).data.data).toEqual({ A: '1' });
    await c.write('secret/data/preview/app-7', { data: { A: '1' }, options: { cas: 0 } });
    await c.write('secret/metadata/preview/app-7', { custom_metadata: { pr: '7' } });
    expect((await c.list('secret/metadata/preview')).data.keys).toEqual(['app-7']);

    const denied = await failure(c.read('secret/data/prod/app'));
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('permission denied');
    expect(denied.body).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    expect((await failure(c.write('secret/data/stage/app', { data: { A: 'x' } }))).status).toBe(403);
    expect((await failure(c.delete('secret/metadata/stage/app'))).status).toBe(403);
    // Missing is 404 with empty errors (a readable path with nothing there).
    expect(await failure(c.read('secret/data/stage/none'))).toMatchObject({ status: 404, body: { errors: [] } });
    expect(vault.readRaw('secret', 'stage/app').data).toEqual({ A: '1' });
  });

  it('end to end as seed-vault does it: @actions/core fetches the runner token, node-vault logs in with it', async () => {
    const saved = { ...process.env };
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = oidc.requestUrl;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidc.requestToken;
    try {
      const c = anonymous();
      await c.jwtLogin({ role: 'preview', jwt: await requestIdToken('vault') });
      expect((await c.read('secret/data/stage/app')).data.data).toEqual({ A: '1' });
    } finally {
      for (const k of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('refuses a token for the wrong audience', async () => {
    const err = await failure(anonymous().jwtLogin({ role: 'preview', jwt: await githubToken('sts.amazonaws.com') }));
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
    );
  });

  it("refuses a token whose claims miss the role's bound claims", async () => {
    oidc.setClaims({ repository: 'evil/fork' });
    try {
      const err = await failure(anonymous().jwtLogin({ role: 'preview', jwt: await githubToken('vault') }));
      expect(err).toMatchObject({
        status: 400,
        message: 'error validating claims: claim "repository" does not match any associated bound claim values',
      });
    } finally {
      oidc.setClaims({ repository: 'acme/web' });
    }
  });

  it("refuses an expired token (past exp plus Vault's 150 s leeway), on a fake clock", async () => {
    const jwt = await githubToken('vault');
    now += (300 + 140) * 1000; // inside the leeway: still accepted
    await expect(anonymous().jwtLogin({ role: 'preview', jwt })).resolves.toMatchObject({
      auth: { policies: ['default', 'preview'] },
    });
    now += 20 * 1000;
    const err = await failure(anonymous().jwtLogin({ role: 'preview', jwt }));
    expect(err).toMatchObject({
      status: 400,
      message: 'error validating token: invalid expiration time (exp) claim: token is expired',
    });
  });

  it('refuses a forged signature, an unknown role and a missing jwt', async () => {
    const [h, p] = (await githubToken('vault')).split('.');
    const forged = `${h}.${p}.${Buffer.from('not a signature').toString('base64url')}`;
    expect((await failure(anonymous().jwtLogin({ role: 'preview', jwt: forged }))).message).toMatch(
      /^error validating token: failed to verify signature/,
    );
    expect((await failure(anonymous().jwtLogin({ role: 'nope', jwt: forged }))).message).toBe(
      'role "nope" could not be found',
    );
    expect((await failure(anonymous().write('auth/jwt/login', { role: 'preview' }))).message).toBe('missing token');
  });

  it('logs in with AppRole and refuses a wrong secret_id', async () => {
    const { roleId, secretId } = vault.addAppRole('ci', { policies: ['preview'] });
    const c = anonymous();
    const login = await c.approleLogin({ role_id: roleId, secret_id: secretId });
    expect(login.auth).toMatchObject({ policies: ['default', 'preview'], metadata: { role_name: 'ci' } });
    expect((await c.read('secret/data/stage/app')).data.data).toEqual({ A: '1' });
    const err = await failure(anonymous().approleLogin({ role_id: roleId, secret_id: 'wrong' }));
    expect(err).toMatchObject({ status: 400, message: 'invalid role or secret ID' });
  });

  it('answers a missing or unknown token with 403 and expires login tokens on the clock', async () => {
    expect(await failure(anonymous().read('secret/data/stage/app'))).toMatchObject({
      status: 403,
      message: 'permission denied',
    });
    const unknown = nodeVault({ endpoint: vault.url, token: 'hvs.unknown' });
    expect((await failure(unknown.read('secret/data/stage/app'))).message).toBe(
      '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n',
    );
    const { roleId, secretId } = vault.addAppRole('short', { policies: ['preview'] });
    const c = anonymous();
    await c.approleLogin({ role_id: roleId, secret_id: secretId });
    now += 769 * 3600 * 1000;
    expect((await failure(c.read('secret/data/stage/app'))).status).toBe(403);
  });

  it('createToken gives a policy-bound token; a more specific deny rule wins over a broader grant', async () => {
    vault.writePolicy('no-secret-b', [
      { path: 'secret/data/team/*', capabilities: ['read', 'create'] },
      { path: 'secret/data/team/b', capabilities: ['deny'] },
    ]);
    const c = nodeVault({ endpoint: vault.url, token: vault.createToken(['no-secret-b']), noCustomHTTPVerbs: true });
    await c.write('secret/data/team/a', { data: { ok: 'yes' } });
    expect((await failure(c.write('secret/data/team/b', { data: { ok: 'no' } }))).status).toBe(403);
    expect((await c.tokenLookupSelf()).data).toMatchObject({
      policies: ['default', 'no-secret-b'],
      path: 'auth/token/create',
    });
    expect(() => vault.writePolicy('typo', [{ path: 'secret/*', capabilities: ['reed'] }])).toThrow(
      'unknown capability "reed"',
    );
  });
});
