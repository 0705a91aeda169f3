/**
 * seed-vault through the bundle, where ownership and masking show: a path is reused only when its
 * marks are this repository's and PR's, a create whose reply was lost still ends marked, KV v1
 * copies carry a marker entry, and stage secrets with short values neither garble nor fail the run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromVaultMetadata, newMarks, toVaultMetadata } from '@preview-fleet/core';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { actionDir, REPOSITORY, SECRET_VALUES, STAGE, startWorld, type World } from './fixture.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterEach(() => {
  w.vault.clearFaults();
  expect(w.vault.contractViolations).toEqual([]);
});
afterAll(async () => w.stop());

function approle(
  pr: number,
  inputs: Record<string, string> = {},
  secrets: string[] = SECRET_VALUES,
): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: {
      'vault-addr': w.vault.url,
      'auth-method': 'approle',
      'role-id': w.appRole.roleId,
      'secret-id': w.appRole.secretId,
      ...inputs,
    },
    event: pullRequestEvent('opened', { number: pr, repository: REPOSITORY, headSha: 'b'.repeat(40) }),
    eventName: 'pull_request',
    repository: REPOSITORY,
    secrets,
    timeoutMs: 60_000,
  });
}
const errorOf = (r: ActionRun): string =>
  r.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');
const marks = (repository: string, pr: number) =>
  toVaultMetadata(newMarks({ repository, pr, service: 'app', now: Date.parse('2026-01-01T00:00:00Z') }));

describe("seed-vault reuses only this repository's and PR's path (bundled)", () => {
  it('a path marked for another repository is refused, says how to add {{repo}}, and is left as found', async () => {
    const foreign = { DB_URL: 'postgres://other-team-db/prod-like' };
    await w.root.write('secret/data/preview/app-60', { data: foreign });
    await w.root.write('secret/metadata/preview/app-60', { custom_metadata: marks('other/repo', 60) });
    const r = await approle(60);
    expect(r.exitCode, r.log).toBe(1);
    expect(errorOf(r)).toMatch(
      /secret\/data\/preview\/app-60 already exists and is not this pull request's: it is marked for other\/repo#60/,
    );
    expect(errorOf(r)).toContain('{{repo}}');
    expect(r.outputs).toEqual({});
    const raw = w.vault.readRaw('secret', 'preview/app-60');
    expect(raw.data).toEqual(foreign);
    expect(fromVaultMetadata(raw.metadata.custom_metadata)?.repository).toBe('other/repo');
    expect(r.leaks).toEqual([]);
  });

  it('a path of this repository but another PR, and an unmarked path with other data, are refused too', async () => {
    await w.root.write('secret/data/preview/app-61', { data: STAGE });
    await w.root.write('secret/metadata/preview/app-61', { custom_metadata: marks(REPOSITORY, 6) });
    expect(errorOf(await approle(61))).toMatch(/marked for acme\/web#6 \(service app\), not acme\/web#61/);
    await w.root.write('secret/data/preview/app-62', { data: { ...STAGE, EXTRA: 'hand-made-value' } });
    const r = await approle(62);
    expect(errorOf(r)).toMatch(
      /app-62 already exists .* carries no preview-fleet marks and is not the copy this run would write/,
    );
    expect(w.vault.readRaw('secret', 'preview/app-62').metadata.custom_metadata).toBeNull();
  });

  it('an unmarked copy identical to ours (a run killed between data and marks) is finished: marks written, reused', async () => {
    await w.root.write('secret/data/preview/app-63', { data: STAGE });
    const r = await approle(63);
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ created: 'false', 'key-count': '3' });
    expect(r.annotations.find((a) => a.level === 'notice')?.message).toMatch(
      /had no ownership marks but is exactly this PR's copy/,
    );
    expect(fromVaultMetadata(w.vault.readRaw('secret', 'preview/app-63').metadata.custom_metadata)).toMatchObject({
      repository: REPOSITORY,
      pr: 63,
    });
    expect(r.leaks).toEqual([]);
  });

  it('the CAS-0 create lands but its reply is lost: the retry meets its own write and the path still ends marked', async () => {
    w.vault.injectFault({ pathPattern: /\/secret\/data\/preview\/app-64$/, method: 'POST', dropReply: true, times: 1 });
    const r = await approle(64);
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ created: 'true', 'key-count': '3' });
    const raw = w.vault.readRaw('secret', 'preview/app-64');
    expect(raw.metadata.current_version).toBe(1);
    expect(fromVaultMetadata(raw.metadata.custom_metadata)).toMatchObject({
      repository: REPOSITORY,
      pr: 64,
      service: 'app',
    });
    expect(
      w.vault.requestLog
        .filter((e) => e.path === '/v1/secret/data/preview/app-64' && e.method === 'POST')
        .map((e) => e.status),
    ).toEqual([200, 400]);
    expect(r.leaks).toEqual([]);
  });
});

describe('KV v1: a marker entry carries the marks (bundled)', () => {
  const kv1 = () => ({
    'auth-method': 'token',
    token: w.vault.createToken(['preview-kv1']),
    mount: 'kv1',
    'kv-version': '1',
  });

  it('the copy gets a marker entry; a v1 path whose marker names another repository is refused', async () => {
    const r = await approle(65, kv1());
    expect(r.exitCode, r.log).toBe(0);
    expect(fromVaultMetadata(w.vault.readRaw('kv1', 'preview/app-65.preview-fleet-marks'))).toMatchObject({
      repository: REPOSITORY,
      pr: 65,
    });
    expect((await approle(65, kv1())).outputs.created).toBe('false');

    await w.root.write('kv1/preview/app-66', { DB_URL: 'postgres://theirs' });
    await w.root.write('kv1/preview/app-66.preview-fleet-marks', marks('other/repo', 66));
    const refused = await approle(66, kv1());
    expect(errorOf(refused)).toMatch(
      /kv1\/preview\/app-66 already exists and is not this pull request's: its marker entry .* other\/repo#66/,
    );
    expect(w.vault.readRaw('kv1', 'preview/app-66')).toEqual({ DB_URL: 'postgres://theirs' });
  });
});

describe('stage secrets with short or common values (bundled)', () => {
  const LONG = 'sk_live_long_secret_value_42';
  const SHORT_STAGE = {
    V: 'v',
    ONE: '1',
    ENABLED: 'true',
    REGION: 'eu-west-1',
    API_KEY: LONG,
    PEM: '-----BEGIN X-----\nMIIBshortPemLine77\n==\n-----END X-----',
  };

  it('pass: values under min-mask-length are not masked (a notice names the keys, never a value); longer ones still are', async () => {
    await w.root.write('secret/data/stage/short', { data: SHORT_STAGE });
    const r = await approle(67, { service: 'short' }, [LONG, 'MIIBshortPemLine77']);
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'secret-path': 'preview/short-67', created: 'true', 'key-count': '6' });
    expect(r.masked).toEqual(
      expect.arrayContaining(['true', 'eu-west-1', LONG, 'MIIBshortPemLine77', '-----END X-----']),
    );
    for (const short of ['v', '1', '==']) expect(r.masked).not.toContain(short);
    const notice = r.annotations.find((a) => a.level === 'notice' && a.message.includes('not masked'));
    expect(notice?.message).toMatch(
      /^Keys V, ONE, PEM in secret\/data\/stage\/short: a value \(or a line of one\) shorter than 4 characters/,
    );
    expect(r.leaks).toEqual([]);
    expect(r.log).not.toContain(LONG);
  });

  it('min-mask-length 2 masks two-character values; a long secret that would reach an output is still refused', async () => {
    await w.root.write('secret/data/stage/edge', { data: { QZ: 'qz', PATH_LIKE: 'preview/edge-68' } });
    const r = await approle(68, { service: 'edge', 'min-mask-length': '2' });
    expect(r.exitCode).toBe(1);
    expect(r.masked).toContain('qz');
    expect(errorOf(r)).toMatch(/Refusing to write a masked secret value to output "secret-path"/);
    expect(r.outputs['secret-path']).toBeUndefined();
  });
});
