/**
 * Nothing hangs: seed-vault against a Vault that accepts connections and never answers (a TCP
 * tarpit) ends within its `timeout` (plus generous slack for a loaded machine), exit 1, with an
 * error that names Vault and its address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { startTarpit, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';
import { actionDir, REPOSITORY } from './fixture.js';

let tarpit: TarpitStandIn;
beforeAll(async () => {
  tarpit = await startTarpit();
});
afterAll(async () => tarpit?.stop());

const TOKEN = 'hvs.tarpit-token-never-shown-1234';

function run(inputs: Record<string, string>) {
  return runActionProcess(actionDir, {
    inputs: { 'vault-addr': tarpit.url(), 'auth-method': 'token', token: TOKEN, ...inputs },
    event: pullRequestEvent('opened', { number: 31, repository: REPOSITORY, headSha: 'b'.repeat(40) }),
    eventName: 'pull_request',
    repository: REPOSITORY,
    secrets: [TOKEN],
    timeoutMs: 90_000,
  });
}

describe('seed-vault against a Vault tarpit (bundled, runner-style)', () => {
  it('the step timeout is a hard bound: exit 1 within timeout + slack, naming Vault at its address', async () => {
    const before = tarpit.accepted;
    const r = await run({ timeout: '6s' });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(6_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(before);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`Vault at ${tarpit.url()} did not answer within 6s`);
    expect(errors[0]!.message).toContain('token lookup-self');
    expect(r.leaks).toEqual([]);
  }, 60_000);

  it('request-timeout bounds each request; a read that timed out is retried, then fails naming Vault and the request timeout', async () => {
    const before = tarpit.accepted;
    const r = await run({ 'request-timeout': '1s', timeout: '2m' });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(60_000);
    expect(tarpit.accepted - before).toBeGreaterThanOrEqual(2);
    const error = r.annotations.find((a) => a.level === 'error')!.message;
    expect(error).toMatch(/Vault token lookup-self failed: (ECONNABORTED|ETIMEDOUT)/);
    expect(error).toContain(`Vault at ${tarpit.url()} did not answer within 1s (request-timeout)`);
    expect(r.leaks).toEqual([]);
  }, 90_000);
});
