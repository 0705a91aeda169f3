import nodeVault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { fromVaultMetadata } from '@preview-fleet/core';
import { BAD_INPUTS } from './bad-inputs.js';
import { actionDir, REPOSITORY, SECRET_VALUES, STAGE, startWorld, type World } from './fixture.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterEach(() => expect(w.vault.contractViolations).toEqual([]));
afterAll(async () => w.stop());

const event = (pr: number) =>
  pullRequestEvent('opened', { number: pr, repository: REPOSITORY, headSha: 'a'.repeat(40) });

function run(pr: number, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: { 'vault-addr': w.vault.url, ...inputs },
    event: event(pr),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env,
    secrets: SECRET_VALUES,
    timeoutMs: 60_000,
  });
}
const jwt = (pr: number, inputs: Record<string, string> = {}) => run(pr, { role: 'preview', ...inputs }, w.jwtEnv);
const approle = (pr: number, inputs: Record<string, string> = {}) =>
  run(pr, { 'auth-method': 'approle', 'role-id': w.appRole.roleId, 'secret-id': w.appRole.secretId, ...inputs });

function ok(r: ActionRun): ActionRun {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  return r;
}

describe('seed-vault (bundled, runner-style, Vault + OIDC stand-ins)', () => {
  it('JWT via the runner OIDC token: copies stage once with marks, then leaves the copy alone even after stage changed', async () => {
    const first = ok(await jwt(12, { overrides: 'FEATURE_X=on\nAPI_KEY=sk_test_override_1' }));
    expect(first.outputs).toEqual({
      'secret-path': 'preview/app-12',
      created: 'true',
      'key-count': '4',
      'vault-ui-url': `${w.vault.url}/ui/vault/secrets/secret/kv/preview%2Fapp-12`,
    });
    const raw = w.vault.readRaw('secret', 'preview/app-12');
    expect(raw.data).toEqual({ ...STAGE, API_KEY: 'sk_test_override_1', FEATURE_X: 'on' });
    expect(fromVaultMetadata(raw.metadata.custom_metadata)).toMatchObject({
      repository: REPOSITORY,
      pr: 12,
      service: 'app',
    });
    expect(raw.metadata.custom_metadata['preview-fleet.dev/expires-at']).toBeTruthy();
    expect(first.masked).toEqual(expect.arrayContaining([STAGE.DB_URL, 'MIIBstageLineOne9x8', 'sk_test_override_1']));
    expect(first.summary).toContain('preview/app-12');

    await w.root.write('secret/data/stage/app', { data: { ...STAGE, DB_URL: 'postgres://changed' } });
    const second = ok(await jwt(12));
    expect(second.outputs).toMatchObject({ created: 'false', 'key-count': '4' });
    expect(w.vault.readRaw('secret', 'preview/app-12').metadata.current_version).toBe(1);
    expect(w.vault.readRaw('secret', 'preview/app-12').data.DB_URL).toBe(STAGE.DB_URL);
    await w.root.write('secret/data/stage/app', { data: STAGE });
  });

  it('login rejected (bound claims) is a clear error naming the role and audience', async () => {
    w.oidc.setClaims({ repository: 'evil/fork' });
    const r = await jwt(13);
    w.oidc.setClaims({ repository: REPOSITORY });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /JWT login as role "preview" failed.*bound_claims/s,
    );
    expect(w.vault.readRaw('secret', 'preview/app-13')).toBeUndefined();
    expect(r.leaks).toEqual([]);
  });

  it('login rejected (wrong audience) says which audience was sent', async () => {
    const r = await jwt(14, { 'jwt-audience': 'not-vault' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toContain('bound_audiences contains "not-vault"');
    expect(r.leaks).toEqual([]);
  });

  it('Vault namespace: reads and writes inside it (X-Vault-Namespace), UI link carries it', async () => {
    const ns = nodeVault({
      endpoint: w.vault.url,
      token: w.vault.rootToken,
      noCustomHTTPVerbs: true,
      namespace: 'team-a',
    });
    await ns.write('secret/data/stage/app', { data: STAGE });
    const r = ok(await approle(50, { 'vault-namespace': 'team-a' }));
    expect(r.outputs['vault-ui-url']).toMatch(/\?namespace=team-a$/);
    expect(w.vault.readRaw('secret', 'preview/app-50', 'team-a').data).toEqual(STAGE);
    expect(w.vault.readRaw('secret', 'preview/app-50')).toBeUndefined();
  });

  it('AppRole: two concurrent runs race on CAS 0 and exactly one creates the copy', async () => {
    const [a, b] = await Promise.all([approle(8), approle(8)]);
    ok(a);
    ok(b);
    expect([a.outputs.created, b.outputs.created].sort()).toEqual(['false', 'true']);
    expect(w.vault.readRaw('secret', 'preview/app-8').metadata.current_version).toBe(1);
    expect(fromVaultMetadata(w.vault.readRaw('secret', 'preview/app-8').metadata.custom_metadata)?.pr).toBe(8);
  });

  it('403 on the target names the policy rule that is missing', async () => {
    const r = await approle(9, { 'target-path': 'other/{{service}}-{{number}}', 'allowed-prefix': 'other/' });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.filter((a) => a.level === 'error');
    expect(error).toHaveLength(1);
    expect(error[0].message).toContain('HTTP 403');
    expect(error[0].message).toContain('path "secret/data/other/*"');
    expect(w.vault.readRaw('secret', 'other/app-9')).toBeUndefined();
    expect(r.leaks).toEqual([]);
  });

  it('KV v1 with a token: read-then-write, created once', async () => {
    const token = w.vault.createToken(['preview-kv1']);
    const inputs = { 'auth-method': 'token', token, mount: 'kv1', 'kv-version': '1' };
    const first = ok(await run(21, inputs));
    expect(first.outputs).toMatchObject({ created: 'true', 'key-count': '3', 'secret-path': 'preview/app-21' });
    expect(first.masked).toContain(token);
    expect(w.vault.readRaw('kv1', 'preview/app-21')).toEqual(STAGE);
    const second = ok(await run(21, inputs));
    expect(second.outputs.created).toBe('false');
  });

  it('source missing: a clear error, nothing written', async () => {
    const r = await approle(22, { 'source-path': 'stage/nothing-here' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /secret\/data\/stage\/nothing-here is missing or unreadable/,
    );
    expect(w.vault.readRaw('secret', 'preview/app-22')).toBeUndefined();
  });

  it("refuses a fork PR's head under pull_request_target before logging in: no request to Vault (issue 14 item 14)", async () => {
    const before = w.vault.requestLog.length;
    const r = await runActionProcess(actionDir, {
      inputs: {
        'vault-addr': w.vault.url,
        'auth-method': 'approle',
        'role-id': w.appRole.roleId,
        'secret-id': w.appRole.secretId,
      },
      event: pullRequestEvent('opened', { number: 31, repository: REPOSITORY, headSha: 'b'.repeat(40), fork: true }),
      eventName: 'pull_request_target',
      repository: REPOSITORY,
      env: {},
      secrets: SECRET_VALUES,
      timeoutMs: 60_000,
    });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^Refusing to seed preview secrets for PR #31: its head .* comes from a fork/),
    ]);
    expect(r.leaks).toEqual([]);
    expect(w.vault.requestLog.length).toBe(before);
    expect(w.vault.readRaw('secret', 'preview/app-31')).toBeUndefined();
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs, each with one clear ::error:: and no request to Vault`, async () => {
    const before = { log: w.vault.requestLog.length, counters: w.vault.counters() };
    for (const c of BAD_INPUTS) {
      const r = await run(30, c.inputs, c.noOidc ? {} : w.jwtEnv);
      expectInputRejected(r, c);
    }
    expect(w.vault.requestLog.length).toBe(before.log);
    expect(w.vault.counters()).toEqual(before.counters);
    expect(w.vault.readRaw('secret', 'preview/app-30')).toBeUndefined();
  });
});
