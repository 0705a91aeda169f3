/**
 * Nothing hangs (issue 14 item 9), bundled and runner-style: with the ECR endpoint behind a TCP
 * tarpit, build-push fails within its `timeout` (plus generous slack for a loaded machine) naming
 * ECR, before any build; no connection is left open. Needs no builder: ECR is asked first.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTarpit, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';
import { makeWorkspace, runBuildPush } from './fixture.js';

let tarpit: TarpitStandIn;
let ws: ReturnType<typeof makeWorkspace>;
beforeAll(async () => {
  tarpit = await startTarpit();
  ws = makeWorkspace();
});
afterAll(async () => {
  await tarpit?.stop();
  ws?.remove();
});

describe('build-push timeouts (bundled, runner-style)', () => {
  it('ECR at a tarpit: exit 1 within timeout + slack naming ECR; nothing built', async () => {
    // request-timeout stays at its 30 s default: only the step's bound can end this within 15 s.
    const r = await runBuildPush({
      pr: 31,
      inputs: { timeout: '15s' },
      cwd: ws.dir,
      env: {
        AWS_ENDPOINT_URL_ECR: tarpit.url(),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIATARPIT000000',
        AWS_SECRET_ACCESS_KEY: 'tarpit-secret-key-not-real',
      },
    });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(15_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(0);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      /^ECR in eu-west-1 did not answer within 15s \(step timeout; waiting \d+s for DescribeRepositories app-preview-31\)/,
    );
    expect(r.log).not.toMatch(/\$ (docker|podman) /);
    await vi.waitFor(() => expect(tarpit.open).toBe(0), { timeout: 10_000, interval: 100 });
    expect(r.leaks).toEqual([]);
  }, 60_000);
});
