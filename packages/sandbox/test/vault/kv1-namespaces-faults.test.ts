import nodeVault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startVault, type VaultStandIn } from '../../src/vault/index.js';

let vault: VaultStandIn;
const slept: number[] = [];
const client = (namespace?: string): nodeVault.client =>
  nodeVault({ endpoint: vault.url, token: vault.rootToken, noCustomHTTPVerbs: true, namespace });

beforeAll(async () => {
  vault = await startVault({ sleep: async (ms) => void slept.push(ms) });
  vault.mountKv('kv', 1);
});
afterEach(() => {
  vault.clearFaults();
  vault.unseal();
  expect(vault.contractViolations).toEqual([]);
});
afterAll(async () => vault.stop());

async function failure(p: Promise<unknown>): Promise<{ message: string; status: number; body: any }> {
  const err = (await p.then(
    () => expect.unreachable('expected a Vault error'),
    (e: unknown) => e,
  )) as Error & { response: { statusCode: number; body: any } };
  return { message: err.message, status: err.response.statusCode, body: err.response.body };
}

describe('Vault stand-in: KV v1, namespaces, seal and faults', () => {
  it('KV v1: write (204), read with a lease, list, delete', async () => {
    const c = client();
    await c.write('kv/stage/app', { A: '1', B: 'two' });
    expect(vault.requestLog.at(-1)).toMatchObject({ method: 'POST', status: 204 });
    const read = await c.read('kv/stage/app');
    expect(read).toMatchObject({ data: { A: '1', B: 'two' }, lease_duration: 2764800, mount_type: 'kv' });
    await c.write('kv/stage/app', { A: 'replaced' });
    expect((await c.read('kv/stage/app')).data).toEqual({ A: 'replaced' });
    expect((await c.list('kv/stage')).data.keys).toEqual(['app']);
    const info = await c.read('sys/internal/ui/mounts/kv/stage/app');
    expect(info.data).toMatchObject({ path: 'kv/', type: 'kv', options: { version: '1' } });
    expect((await c.read('sys/internal/ui/mounts/secret/x')).data.options.version).toBe('2');
    await c.delete('kv/stage/app');
    expect(await failure(c.read('kv/stage/app'))).toMatchObject({ status: 404, body: { errors: [] } });
    expect(vault.readRaw('kv', 'stage/app')).toBeUndefined();
    expect(vault.counters()).toMatchObject({ 'kv-v1-write': 2, 'kv-v1-read': 3, 'kv-v1-list': 1, 'kv-v1-delete': 1 });
  });

  it('X-Vault-Namespace isolates data', async () => {
    await client('team-a').write('secret/data/stage/app', { data: { WHO: 'a' } });
    await client('team-b/').write('secret/data/stage/app', { data: { WHO: 'b' } });
    expect((await client('team-a').read('secret/data/stage/app')).data.data).toEqual({ WHO: 'a' });
    expect((await client('team-b').read('secret/data/stage/app')).data.data).toEqual({ WHO: 'b' });
    expect((await failure(client().read('secret/data/stage/app'))).status).toBe(404);
    expect(vault.readRaw('secret', 'stage/app', 'team-a').data).toEqual({ WHO: 'a' });
    expect(vault.requestLog.at(-1)).toMatchObject({ namespace: '' });
  });

  it('sealed: 503 "Vault is sealed" everywhere but seal-status', async () => {
    vault.seal();
    expect(await failure(client().read('secret/data/stage/app'))).toMatchObject({
      status: 503,
      message: 'Vault is sealed',
    });
    expect(await client().status()).toMatchObject({ sealed: true, initialized: true });
    expect((await fetch(`${vault.url}/v1/sys/health`)).status).toBe(503);
    vault.unseal();
    expect(await client().health()).toMatchObject({ sealed: false, initialized: true, standby: false });
    expect(await client().status()).toMatchObject({ sealed: false });
  });

  it('injected faults answer the given status for matching paths, the given number of times', async () => {
    await client().write('secret/data/faulty/x', { data: { a: '1' } });
    vault.injectFault({ pathPattern: /\/secret\/data\/faulty\//, status: 503, times: 2 });
    expect((await failure(client().read('secret/data/faulty/x'))).status).toBe(503);
    expect((await failure(client().read('secret/data/faulty/x'))).status).toBe(503);
    expect((await client().read('secret/data/faulty/x')).data.data).toEqual({ a: '1' });

    vault.injectFault({ pathPattern: /faulty/, status: 429 });
    const res = await fetch(`${vault.url}/v1/secret/data/faulty/x`, { headers: { 'x-vault-token': vault.rootToken } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { errors: string[] }).errors[0]).toContain('rate limit quota exceeded');
    vault.clearFaults();
    vault.injectFault({ pathPattern: /faulty/, status: 500, times: 1 });
    expect(await failure(client().read('secret/data/faulty/x'))).toMatchObject({
      status: 500,
      message: 'internal error',
    });
  });

  it('injected latency applies only to the matching method, and a fault without status only delays', async () => {
    await client().write('secret/data/slow/x', { data: { a: '1' } });
    vault.injectFault({ pathPattern: /\/secret\/metadata\/slow\//, method: 'DELETE', latencyMs: 200 });
    await client().read('secret/metadata/slow/x');
    expect(slept).toEqual([]);
    await client().delete('secret/metadata/slow/x');
    expect(slept).toEqual([200]);
    expect(vault.requestLog.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
  });

  it('dropReply: the write lands (CAS and all), then the connection is reset before any reply', async () => {
    vault.injectFault({ pathPattern: /\/secret\/data\/lost\/x$/, method: 'POST', dropReply: true, times: 1 });
    const err = (await client()
      .write('secret/data/lost/x', { data: { a: '1' }, options: { cas: 0 } })
      .then(
        () => expect.unreachable(),
        (e: unknown) => e,
      )) as Error & { code?: string };
    expect(err.code ?? err.message).toMatch(/ECONNRESET|socket hang up/);
    expect(vault.readRaw('secret', 'lost/x')).toMatchObject({ data: { a: '1' }, metadata: { current_version: 1 } });
    expect(vault.requestLog.at(-1)).toMatchObject({ method: 'POST', path: '/v1/secret/data/lost/x', status: 200 });
    // the retry a client would make now meets its own write
    expect(
      (await failure(client().write('secret/data/lost/x', { data: { a: '1' }, options: { cas: 0 } }))).message,
    ).toMatch(/check-and-set parameter did not match/);
  });
});
