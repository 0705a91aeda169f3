import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdToken } from '@preview-fleet/core';
import { decodeJwt, startOidc, verifyRs256, type OidcStandIn } from '../../src/oidc/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const now = T0;
let oidc: OidcStandIn;

beforeAll(async () => {
  oidc = await startOidc({ claims: { repository: 'acme/web' }, clock: () => now });
});
afterAll(async () => oidc.stop());

/** Runs @actions/core's real OidcClient (through our runtime's requestIdToken) against the stand-in. */
async function tokenFor(audience: string, env: { url?: string; token?: string } = {}): Promise<string> {
  const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = env.url ?? oidc.requestUrl;
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = env.token ?? oidc.requestToken;
  try {
    return await requestIdToken(audience);
  } finally {
    for (const [k, v] of [
      ['ACTIONS_ID_TOKEN_REQUEST_URL', saved.url],
      ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('OIDC stand-in', () => {
  it('issues a GitHub-shaped RS256 token to @actions/core, verifiable with the published JWKS', async () => {
    expect(oidc.requestUrl).toContain('?');
    const jwt = await tokenFor('vault');
    const decoded = decodeJwt(jwt);
    expect(decoded.header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const iat = Math.floor(T0 / 1000);
    expect(decoded.payload).toMatchObject({
      iss: oidc.issuer,
      aud: 'vault',
      sub: 'repo:acme/web:pull_request',
      repository: 'acme/web',
      repository_owner: 'acme',
      event_name: 'pull_request',
      ref: 'refs/pull/1/merge',
      run_id: '1',
      job_workflow_ref: 'acme/web/.github/workflows/preview.yml@refs/pull/1/merge',
      iat,
      nbf: iat - 600,
      exp: iat + 300,
    });

    const config = (await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      issuer: oidc.issuer,
      jwks_uri: oidc.jwksUrl,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const { keys } = (await (await fetch(oidc.jwksUrl)).json()) as { keys: import('node:crypto').JsonWebKey[] };
    expect(verifyRs256(decoded, keys)).toBe(true);
    const tampered = { ...decoded, signingInput: `${decoded.signingInput}x` };
    expect(verifyRs256(tampered, keys)).toBe(false);
  });

  it('answers the raw request with {"value": jwt} and defaults the audience to https://github.com/<owner>', async () => {
    const res = await fetch(oidc.requestUrl, { headers: { authorization: `Bearer ${oidc.requestToken}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['value']);
    expect(decodeJwt(body.value as string).payload.aud).toBe('https://github.com/acme');
  });

  it('rejects a missing bearer with 401 and a wrong one with 403', async () => {
    expect((await fetch(`${oidc.requestUrl}&audience=vault`)).status).toBe(401);
    const wrong = await fetch(`${oidc.requestUrl}&audience=vault`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(403);
    await expect(tokenFor('vault', { token: 'nope' })).rejects.toThrow(/Failed to get ID Token[\s\S]*403/);
  });

  it('carries claims set later, deriving sub from the event', async () => {
    oidc.setClaims({ event_name: 'push', ref: 'refs/heads/main', run_id: '42' });
    try {
      const p = decodeJwt(await tokenFor('vault')).payload;
      expect(p).toMatchObject({ sub: 'repo:acme/web:ref:refs/heads/main', run_id: '42', event_name: 'push' });
      oidc.setClaims({ sub: 'custom-subject' });
      expect(decodeJwt(await tokenFor('vault')).payload.sub).toBe('custom-subject');
    } finally {
      oidc.setClaims({ event_name: 'pull_request', ref: 'refs/pull/1/merge', run_id: '1', sub: undefined });
    }
  });
});
