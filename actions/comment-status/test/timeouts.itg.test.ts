/**
 * Nothing hangs (issue 14 item 9), bundled and runner-style: with the GitHub API behind a TCP
 * tarpit, comment-status fails within its `timeout` (plus generous slack for a loaded machine)
 * naming the GitHub API, even with fail-on-error false — a GitHub that never answers is not a
 * refusal to warn about — and no connection is left open.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { startTarpit, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';

const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = 'acme/web';
const TOKEN = 'ghs_tarpitTokenThatIsLongEnough0123';
let tarpit: TarpitStandIn;
beforeAll(async () => {
  tarpit = await startTarpit();
});
afterAll(async () => tarpit?.stop());

describe('comment-status timeouts (bundled, runner-style)', () => {
  it('GitHub API at a tarpit: exit 1 within timeout + slack naming the GitHub API (fail-on-error false)', async () => {
    // request-timeout stays at its 30 s default: only the step's bound can end this within 15 s.
    const r = await runActionProcess(actionDir, {
      inputs: { 'github-token': TOKEN, state: 'building', timeout: '15s' },
      event: pullRequestEvent('synchronize', { number: 7, repository: REPO, headSha: 'a'.repeat(40) }),
      eventName: 'pull_request',
      repository: REPO,
      env: { GITHUB_API_URL: tarpit.url() },
      secrets: [TOKEN],
      timeoutMs: 90_000,
    });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(15_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(0);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`the GitHub API at ${tarpit.url()} did not answer within 15s`);
    await vi.waitFor(() => expect(tarpit.open).toBe(0), { timeout: 10_000, interval: 100 });
    expect(r.leaks).toEqual([]);
  }, 60_000);
});
