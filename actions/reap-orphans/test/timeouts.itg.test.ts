/**
 * Nothing hangs, and "don't know" deletes nothing (issue 14 item 9): the reaper's `timeout` bounds
 * the whole run. With Vault behind a TCP tarpit the run fails within its timeout (plus generous
 * slack for a loaded machine) naming Vault, and the preview of a closed PR — which the reaper
 * would otherwise remove — is left whole for the next run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { startTarpit, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';
import { REPOSITORY, reaperDir, startWorld, type World } from '@preview-fleet/action-teardown/test/fixture';

let w: World;
let tarpit: TarpitStandIn;
beforeAll(async () => {
  [w, tarpit] = await Promise.all([startWorld(), startTarpit()]);
}, 120_000);
afterEach(() => expect(w.gh.contractViolations()).toEqual([]));
afterAll(async () => Promise.all([w?.stop(), tarpit?.stop()]));

describe('reap-orphans timeouts (bundled, runner-style)', () => {
  it("Vault at a tarpit: exit 1 within timeout + slack naming Vault; the closed PR's preview is left whole", async () => {
    const { pr } = await w.deploy();
    w.gh.closePullRequest(REPOSITORY, pr);
    // request-timeout stays at its 30 s default: only the run's bound can end this within 15 s.
    const r = await runActionProcess(reaperDir, {
      inputs: { ...w.inputs, 'vault-addr': tarpit.url(), timeout: '15s' },
      event: {},
      eventName: 'schedule',
      repository: REPOSITORY,
      env: w.env,
      secrets: [w.vaultToken, w.gh.token],
      timeoutMs: 120_000,
    });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(15_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(0);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`Vault at ${tarpit.url()} did not answer within 15s`);
    await vi.waitFor(() => expect(tarpit.open).toBe(0), { timeout: 10_000, interval: 100 });
    expect(w.namespaceExists(`preview-pr-${pr}`)).toBe(true);
    expect(w.releases(`preview-pr-${pr}`)).toEqual([`app-pr-${pr}`]);
    expect(w.vaultPathExists(`preview/app-${pr}`)).toBe(true);
    expect(await w.repositoryExists(`app-preview-${pr}`)).toBe(true);
    expect(r.leaks).toEqual([]);
  }, 90_000);
});
