import nodeVault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { startGitLab, type GitLabStandIn } from '../../src/gitlab/index.js';
import { decodeJwt, verifyRs256 } from '../../src/oidc/index.js';
import { previewPolicy, startVault, type VaultStandIn } from '../../src/vault/index.js';

const clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
const AUD = 'https://vault.example.com';
let gl: GitLabStandIn;
let vault: VaultStandIn;
let web: number;
let other: number;

beforeAll(async () => {
  gl = await startGitLab({ clock });
  web = gl.createProject('acme/web').id as number;
  other = gl.createProject('acme/other').id as number;
  // What a GitLab user configures: `vault write auth/jwt/config oidc_discovery_url=<gitlab> bound_issuer=<gitlab>`
  // and a role with bound_audiences and bound_claims on project_path.
  vault = await startVault({ oidc: { issuer: gl.url, jwksUrl: gl.idTokens.jwksUrl }, clock: () => clock.now() });
  vault.writePolicy('preview', previewPolicy());
  vault.addJwtRole('preview-web', {
    policies: ['preview'],
    boundAudiences: [AUD],
    boundClaims: { project_path: 'acme/web' },
    userClaim: 'user_login',
  });
});
afterEach(() => expect(vault.contractViolations).toEqual([]));
afterAll(async () => {
  await vault.stop();
  await gl.stop();
});

function anonymous(): nodeVault.client {
  const c = nodeVault({ endpoint: vault.url, noCustomHTTPVerbs: true });
  c.token = '';
  return c;
}

describe('GitLab CI ID tokens (id_tokens:) against the Vault stand-in', () => {
  it('carries GitLab’s claims for a merge-request pipeline and verifies against the served JWKS', async () => {
    const { iid, sha } = gl.openMergeRequest(web, { sourceBranch: 'feat/login' });
    const jwt = gl.issueIdToken(web, { aud: AUD, mergeRequestIid: iid as number, environment: `review/mr-${iid}` });
    const decoded = decodeJwt(jwt);
    const iat = Math.floor(clock.now() / 1000);
    expect(decoded.header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(decoded.payload).toMatchObject({
      iss: gl.url,
      aud: AUD,
      sub: 'project_path:acme/web:ref_type:branch:ref:feat/login',
      namespace_path: 'acme',
      project_id: String(web),
      project_path: 'acme/web',
      user_login: 'developer',
      pipeline_source: 'merge_request_event',
      ref: 'feat/login',
      ref_type: 'branch',
      ref_path: `refs/merge-requests/${iid}/head`,
      ref_protected: 'false',
      sha,
      environment: `review/mr-${iid}`,
      environment_protected: 'false',
      environment_action: 'start',
      iat,
      nbf: iat - 5,
      exp: iat + 3600,
    });
    const discovery = (await (await fetch(`${gl.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({ issuer: gl.url, jwks_uri: `${gl.url}/oauth/discovery/keys` });
    const { keys } = (await (await fetch(discovery.jwks_uri as string)).json()) as {
      keys: import('node:crypto').JsonWebKey[];
    };
    expect(verifyRs256(decoded, keys)).toBe(true);
  });

  it('logs in to Vault with a role bound to project_path; another project’s token is refused', async () => {
    const { iid } = gl.openMergeRequest(web);
    const login = await anonymous().write('auth/jwt/login', {
      role: 'preview-web',
      jwt: gl.issueIdToken(web, { aud: AUD, mergeRequestIid: iid as number }),
    });
    expect(login.auth).toMatchObject({ policies: ['default', 'preview'], metadata: { role: 'preview-web' } });

    const foreign = gl.openMergeRequest(other);
    const refused = await anonymous()
      .write('auth/jwt/login', {
        role: 'preview-web',
        jwt: gl.issueIdToken(other, { aud: AUD, mergeRequestIid: foreign.iid as number }),
      })
      .then(
        () => expect.unreachable('another project must not log in'),
        (e: Error & { response: { statusCode: number } }) => e,
      );
    expect(refused.response.statusCode).toBe(400);
    expect(refused.message).toBe(
      'error validating claims: claim "project_path" does not match any associated bound claim values',
    );
  });

  it('is refused for the wrong audience and once expired', async () => {
    const wrongAud = gl.issueIdToken(web, { aud: 'https://other.example.com' });
    await expect(anonymous().write('auth/jwt/login', { role: 'preview-web', jwt: wrongAud })).rejects.toThrow(
      /invalid audience/,
    );
    const jwt = gl.issueIdToken(web, { aud: AUD, ttlSeconds: 60 });
    clock.advance((60 + 151) * 1000);
    await expect(anonymous().write('auth/jwt/login', { role: 'preview-web', jwt })).rejects.toThrow(/token is expired/);
  });
});
