import nodeVault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startVault, type VaultStandIn } from '../../src/vault/index.js';

let now = Date.parse('2026-01-01T00:00:00Z');
let vault: VaultStandIn;
let client: nodeVault.client;

beforeAll(async () => {
  vault = await startVault({ clock: () => now });
  // noCustomHTTPVerbs: node's HTTP parser cannot receive LIST, so lists go as GET ?list=1.
  client = nodeVault({ endpoint: vault.url, token: vault.rootToken, noCustomHTTPVerbs: true });
});
afterEach(() => expect(vault.contractViolations).toEqual([]));
afterAll(async () => vault.stop());

/** node-vault rejects with the first Vault error and keeps status and body. */
async function failure(p: Promise<unknown>): Promise<{ message: string; status: number; body: any }> {
  const err = (await p.then(
    () => expect.unreachable('expected a Vault error'),
    (e: unknown) => e,
  )) as Error & { response: { statusCode: number; body: any } };
  return { message: err.message, status: err.response.statusCode, body: err.response.body };
}

describe('Vault stand-in, KV v2 at secret/ (dev mode)', () => {
  it('writes, reads, versions and lists through node-vault', async () => {
    const w1 = await client.write('secret/data/stage/app', { data: { DB_URL: 'postgres://stage', FLAG: 'off' } });
    expect(w1.data).toMatchObject({ version: 1, deletion_time: '', destroyed: false, custom_metadata: null });
    now += 1000;
    const w2 = await client.write('secret/data/stage/app', { data: { DB_URL: 'postgres://stage2' } });
    expect(w2.data.version).toBe(2);

    const read = await client.read('secret/data/stage/app');
    expect(read.data.data).toEqual({ DB_URL: 'postgres://stage2' });
    expect(read.data.metadata).toMatchObject({ version: 2, created_time: '2026-01-01T00:00:01.000Z' });
    expect((await client.read('secret/data/stage/app?version=1')).data.data).toEqual({
      DB_URL: 'postgres://stage',
      FLAG: 'off',
    });

    await client.write('secret/data/stage/api/db', { data: { X: '1' } });
    expect((await client.list('secret/metadata/stage')).data.keys).toEqual(['api/', 'app']);
    expect((await client.list('secret/metadata/')).data.keys).toEqual(['stage/']);
    const missing = await failure(client.list('secret/metadata/nothing-here'));
    expect(missing).toMatchObject({ status: 404, body: { errors: [] } });
    expect(vault.counters()).toMatchObject({ 'kv-v2-write': 3, 'kv-v2-read': 2, 'kv-v2-list': 3 });
  });

  it('keeps custom_metadata set through the metadata endpoint across versions', async () => {
    const marks = { 'managed-by': 'preview-fleet', repository: 'acme/web', pr: '12' };
    await client.write('secret/data/preview/app-12', { data: { K: 'v' }, options: { cas: 0 } });
    await client.write('secret/metadata/preview/app-12', { custom_metadata: marks });
    const meta = await client.read('secret/metadata/preview/app-12');
    expect(meta.data).toMatchObject({
      current_version: 1,
      oldest_version: 1,
      custom_metadata: marks,
      max_versions: 0,
      cas_required: false,
    });
    expect(Object.keys(meta.data.versions)).toEqual(['1']);
    const read = await client.read('secret/data/preview/app-12');
    expect(read.data.metadata.custom_metadata).toEqual(marks);
    expect(vault.readRaw('secret', 'preview/app-12')).toMatchObject({
      data: { K: 'v' },
      metadata: { custom_metadata: marks },
    });

    const bad = await failure(client.write('secret/metadata/preview/app-12', { custom_metadata: { pr: 12 } }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('value for key "pr" must be a string');
  });

  it("check-and-set: 0 creates only if absent, a stale version is refused with Vault's message", async () => {
    await client.write('secret/data/cas/one', { data: { a: '1' }, options: { cas: 0 } });
    const again = await failure(client.write('secret/data/cas/one', { data: { a: '2' }, options: { cas: 0 } }));
    expect(again).toMatchObject({ status: 400, message: 'check-and-set parameter did not match the current version' });
    expect((await client.write('secret/data/cas/one', { data: { a: '2' }, options: { cas: 1 } })).data.version).toBe(2);
    expect(vault.readRaw('secret', 'cas/one').data).toEqual({ a: '2' });
  });

  it('CAS race: of two concurrent CAS-0 writes exactly one wins', async () => {
    const results = await Promise.allSettled([
      client.write('secret/data/preview/race-1', { data: { from: 'a' }, options: { cas: 0 } }),
      client.write('secret/data/preview/race-1', { data: { from: 'b' }, options: { cas: 0 } }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason.message).toBe('check-and-set parameter did not match the current version');
    expect(vault.readRaw('secret', 'preview/race-1').metadata.current_version).toBe(1);
  });

  it('soft delete, undelete, destroy, and delete-metadata of all versions', async () => {
    await client.write('secret/data/life/x', { data: { v: '1' } });
    await client.write('secret/data/life/x', { data: { v: '2' } });
    now += 1000;
    await client.delete('secret/data/life/x');
    const gone = await failure(client.read('secret/data/life/x'));
    expect(gone.status).toBe(404);
    expect(gone.body.data).toMatchObject({
      data: null,
      metadata: { version: 2, deletion_time: new Date(now).toISOString(), destroyed: false },
    });

    await client.write('secret/undelete/life/x', { versions: [2] });
    expect((await client.read('secret/data/life/x')).data.data).toEqual({ v: '2' });
    await client.write('secret/destroy/life/x', { versions: [1] });
    expect((await failure(client.read('secret/data/life/x?version=1'))).body.data.metadata).toMatchObject({
      destroyed: true,
    });
    await client.write('secret/delete/life/x', { versions: [2] });
    expect((await client.read('secret/metadata/life/x')).data.versions['2'].deletion_time).not.toBe('');
    expect((await client.list('secret/metadata/life')).data.keys).toEqual(['x']);

    await client.delete('secret/metadata/life/x');
    expect(await failure(client.read('secret/metadata/life/x'))).toMatchObject({ status: 404, body: { errors: [] } });
    expect(vault.readRaw('secret', 'life/x')).toBeUndefined();
    // Deleting what is not there is still 204, as Vault answers.
    await client.delete('secret/metadata/life/x');
    expect(vault.requestLog.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/v1/secret/metadata/life/x',
      status: 204,
    });
    // CAS 0 works again once the metadata is gone.
    await client.write('secret/data/life/x', { data: { v: 'new' }, options: { cas: 0 } });
  });

  it('answers malformed requests with 400 and errors[]', async () => {
    const h = { 'x-vault-token': vault.rootToken, 'content-type': 'application/json' };
    const notJson = await fetch(`${vault.url}/v1/secret/data/bad/one`, {
      method: 'POST',
      headers: h,
      body: '{"data":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { errors: string[] }).errors[0]).toMatch(/^failed to parse JSON input/);
    const noData = await failure(client.write('secret/data/bad/one', { options: { cas: 0 } }));
    expect(noData).toMatchObject({ status: 400, message: 'no data provided' });
    const badCas = await failure(client.write('secret/data/bad/one', { data: { a: 'b' }, options: { cas: -1 } }));
    expect(badCas.status).toBe(400);
    expect(await failure(client.write('secret/destroy/bad/one', {}))).toMatchObject({
      status: 400,
      message: 'no version number provided',
    });
    expect(vault.readRaw('secret', 'bad/one')).toBeUndefined();
  });
});
